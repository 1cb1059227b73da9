import type { IncomingMessage, ServerResponse } from "node:http";
import { text } from "node:stream/consumers";
import type { LoadedClassifier, LoadedEmbeddingModel, ServedModelConfig } from "@labtrack/inference";
import type { Artifact } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import type { Services } from "../services/index.ts";
import { LoadedModelLru } from "./loaded-model-lru.ts";
import { exportedModelFiles, MODEL_PREFIX, materialiseModel, modelKey } from "./model-cache.ts";
import { ImageBodyError } from "./read-image-body.ts";
import { sendError } from "./respond.ts";

type Inference = typeof import("@labtrack/inference");
let inference: Inference | null = null;
/** tfjs and its backend cost about 80 MB: loaded by the first prediction, not at start. */
export async function loadInference(): Promise<Inference> {
  inference ??= await import("@labtrack/inference");
  return inference;
}
/** An image the model could not decode (only once inference is loaded can one have been). */
export function isUndecodableImage(error: unknown): error is Error {
  return inference !== null && error instanceof inference.UndecodableImageError;
}
export const CONFIG_PATH = `${MODEL_PREFIX}inference_config.json`;
const CONFIG_MAX_BYTES = 1024 * 1024;

/** A run's exported model, loaded: an image classifier or a metric-learning embedding model. */
export type ServedModel =
  | { kind: "classifier"; model: LoadedClassifier }
  | { kind: "embedding"; model: LoadedEmbeddingModel };

/** A stored model the server refuses to load or use, with the status and message to answer. */
export class UnservableModelError extends Error {
  constructor(
    readonly status: 403 | 404 | 422,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Loads only what the run itself wrote (its runner's token) or an admin, and only a config within
 * bounds: anyone else who may write artifacts must not be able to make the server load their model.
 */
async function checkServable(
  services: Services,
  runId: string,
  files: readonly Artifact[],
): Promise<ServedModelConfig> {
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
  const { servedModelConfig } = await loadInference();
  const parsed = servedModelConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnservableModelError(422, `${CONFIG_PATH}: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data;
}

export interface ModelServer {
  loaded: LoadedModelLru<{ dispose(): void } & ServedModel>;
  /** The run's exported model, checked and loaded (cached by content); throws what `answerError` answers. */
  load(services: Services, runId: string): Promise<ServedModel>;
}

export function createModelServer(cacheDir: string, maxLoadedModels: number): ModelServer {
  const loaded = new LoadedModelLru<{ dispose(): void } & ServedModel>(maxLoadedModels);
  return {
    loaded,
    async load(services, runId) {
      const model = exportedModelFiles(await services.artifacts.list(runId, MODEL_PREFIX));
      if (!model.ok) {
        throw new UnservableModelError(
          404,
          `run ${runId} has no exported model (no '${model.missing}' artifact)`,
        );
      }
      const config = await checkServable(services, runId, model.files);
      return loaded.get(modelKey(model.files), async () => {
        const { ensureInferenceBackend, loadClassifier, loadEmbeddingModel } = await loadInference();
        await ensureInferenceBackend();
        const dir = await materialiseModel(services.artifacts.blobs, cacheDir, model.files);
        if (config.format === "labtrack-embedding-model/1") {
          const embedding = await loadEmbeddingModel(dir);
          return { kind: "embedding", model: embedding, dispose: () => embedding.dispose() };
        }
        const classifier = await loadClassifier(dir);
        return { kind: "classifier", model: classifier, dispose: () => classifier.dispose() };
      });
    },
  };
}

/** Answers the errors of loading or using a served model; false for anything else. */
export function answerModelError(req: IncomingMessage, res: ServerResponse, error: unknown): boolean {
  if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "FORBIDDEN")) {
    req.resume();
    sendError(res, error.code === "NOT_FOUND" ? 404 : 403, error.code, error.message);
  } else if (error instanceof UnservableModelError) {
    req.resume();
    const code =
      error.status === 403 ? "FORBIDDEN" : error.status === 404 ? "NOT_FOUND" : "UNPROCESSABLE_CONTENT";
    sendError(res, error.status, code, error.message);
  } else if (error instanceof ImageBodyError) {
    req.resume();
    sendError(res, error.status, "BAD_REQUEST", error.message);
  } else {
    return false;
  }
  return true;
}
