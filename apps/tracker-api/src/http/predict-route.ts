import { text } from "node:stream/consumers";
import type { LoadedClassifier } from "@labtrack/inference";
import type { Artifact } from "@labtrack/schemas";
import { runId as runIdSchema } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import type { ExtraRoute } from "../server.ts";
import type { Services } from "../services/index.ts";
import { LoadedModelLru } from "./loaded-model-lru.ts";
import { exportedModelFiles, MODEL_PREFIX, materialiseModel, modelKey } from "./model-cache.ts";
import { ImageBodyError, readImageBody } from "./read-image-body.ts";
import { sendError, sendJson } from "./respond.ts";

const ROUTE = /^\/api\/runs\/([^/]+)\/predict$/;

type Inference = typeof import("@labtrack/inference");
let inference: Inference | null = null;
/** tfjs and its backend cost about 80 MB: loaded by the first prediction, not at start. */
async function loadInference(): Promise<Inference> {
  inference ??= await import("@labtrack/inference");
  return inference;
}
const CONFIG_PATH = `${MODEL_PREFIX}inference_config.json`;
const CONFIG_MAX_BYTES = 1024 * 1024;

/** A stored model the server refuses to load, with the status and message to answer. */
class UnservableModelError extends Error {
  constructor(
    readonly status: 403 | 422,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Loads only what the run itself wrote (its runner's token) or an admin, and only a config within
 * bounds: anyone else who may write artifacts must not be able to make the server load their model.
 */
async function checkServable(services: Services, runId: string, files: readonly Artifact[]): Promise<void> {
  const foreign = await services.artifacts.notWrittenByRun(
    runId,
    files.map((f) => f.path),
  );
  if (foreign.length > 0) {
    throw new UnservableModelError(
      403,
      `${foreign[0]}: was not written by the run's runner or an admin; predict serves only models the run exported`,
    );
  }
  const config = files.find((f) => f.path === CONFIG_PATH);
  if (!config || config.size > CONFIG_MAX_BYTES) {
    throw new UnservableModelError(422, `${CONFIG_PATH}: missing or larger than ${CONFIG_MAX_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(await text(services.artifacts.blobs.read(config.sha256)));
  } catch {
    throw new UnservableModelError(422, `${CONFIG_PATH}: is not JSON`);
  }
  const { inferenceConfig } = await loadInference();
  const parsed = inferenceConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnservableModelError(422, `${CONFIG_PATH}: ${issue?.path.join(".")}: ${issue?.message}`);
  }
}

export interface PredictRouteOptions {
  /** Where exported models are copied out of the blob store, one folder per model hash. */
  cacheDir: string;
  /** How many models stay loaded in memory. */
  maxLoadedModels?: number;
  /** Largest image accepted, in bytes. */
  maxImageBytes?: number;
}

/**
 * `POST /api/runs/<runId>/predict` with an image (raw `image/*` body or a multipart `file`
 * field): class probabilities and the decision of the run's exported image-classifier model.
 */
export function predictRoute(
  opts: PredictRouteOptions,
): ExtraRoute & { loaded: LoadedModelLru<LoadedClassifier> } {
  const loaded = new LoadedModelLru<LoadedClassifier>(opts.maxLoadedModels ?? 4);
  const maxImageBytes = opts.maxImageBytes ?? 20 * 1024 * 1024;

  const route: ExtraRoute = async (req, res, url, ctx) => {
    const match = ROUTE.exec(url.pathname);
    if (!match) return false;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      sendError(res, 405, "METHOD_NOT_SUPPORTED", `${req.method} is not supported on predict; use POST`);
      return true;
    }
    const caller = await ctx.authenticate();
    if (!caller) {
      sendError(res, 401, "UNAUTHORIZED", "missing or invalid bearer token");
      return true;
    }
    const runId = decodeURIComponent(match[1] ?? "");
    if (!runIdSchema.safeParse(runId).success) {
      sendError(res, 400, "BAD_REQUEST", `runId: '${runId}' is not a run id`);
      return true;
    }
    try {
      await ctx.services.access.assertRun(caller, runId, "read");
      const model = exportedModelFiles(await ctx.services.artifacts.list(runId, MODEL_PREFIX));
      if (!model.ok) {
        sendError(
          res,
          404,
          "NOT_FOUND",
          `run ${runId} has no exported model (no '${model.missing}' artifact)`,
        );
        return true;
      }
      await checkServable(ctx.services, runId, model.files);
      const image = await readImageBody(req, maxImageBytes);
      const classifier = await loaded.get(modelKey(model.files), async () => {
        const { ensureInferenceBackend, loadClassifier } = await loadInference();
        await ensureInferenceBackend();
        const dir = await materialiseModel(ctx.services.artifacts.blobs, opts.cacheDir, model.files);
        return loadClassifier(dir);
      });
      const prediction = await classifier.predict(image);
      sendJson(res, 200, {
        runId,
        probabilities: prediction.probabilities,
        predicted: prediction.predicted,
        ...(prediction.thresholds ? { thresholds: prediction.thresholds } : {}),
      });
    } catch (error) {
      if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "FORBIDDEN")) {
        req.resume();
        sendError(res, error.code === "NOT_FOUND" ? 404 : 403, error.code, error.message);
      } else if (error instanceof UnservableModelError) {
        req.resume();
        sendError(
          res,
          error.status,
          error.status === 403 ? "FORBIDDEN" : "UNPROCESSABLE_CONTENT",
          error.message,
        );
      } else if (error instanceof ImageBodyError) {
        req.resume();
        sendError(res, error.status, "BAD_REQUEST", error.message);
      } else if (inference && error instanceof inference.UndecodableImageError) {
        sendError(res, 400, "BAD_REQUEST", `body: ${error.message}`);
      } else {
        throw error;
      }
    }
    return true;
  };
  return Object.assign(route, { loaded });
}
