import {
  ensureInferenceBackend,
  type LoadedClassifier,
  loadClassifier,
  UndecodableImageError,
} from "@labtrack/inference";
import { runId as runIdSchema } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import type { ExtraRoute } from "../server.ts";
import { LoadedModelLru } from "./loaded-model-lru.ts";
import { exportedModelFiles, MODEL_PREFIX, materialiseModel, modelKey } from "./model-cache.ts";
import { ImageBodyError, readImageBody } from "./read-image-body.ts";
import { sendError, sendJson } from "./respond.ts";

const ROUTE = /^\/api\/runs\/([^/]+)\/predict$/;

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
    if (!(await ctx.authenticate())) {
      sendError(res, 401, "UNAUTHORIZED", "missing or invalid bearer token");
      return true;
    }
    const runId = decodeURIComponent(match[1] ?? "");
    if (!runIdSchema.safeParse(runId).success) {
      sendError(res, 400, "BAD_REQUEST", `runId: '${runId}' is not a run id`);
      return true;
    }
    try {
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
      const image = await readImageBody(req, maxImageBytes);
      const classifier = await loaded.get(modelKey(model.files), async () => {
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
      if (error instanceof TRPCError && error.code === "NOT_FOUND") {
        sendError(res, 404, "NOT_FOUND", error.message);
      } else if (error instanceof ImageBodyError) {
        req.resume();
        sendError(res, error.status, "BAD_REQUEST", error.message);
      } else if (error instanceof UndecodableImageError) {
        sendError(res, 400, "BAD_REQUEST", `body: ${error.message}`);
      } else {
        throw error;
      }
    }
    return true;
  };
  return Object.assign(route, { loaded });
}
