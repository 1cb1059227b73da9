import type { IncomingMessage, ServerResponse } from "node:http";
import { runId as runIdSchema } from "@labtrack/schemas";
import type { ExtraRoute } from "../server.ts";
import type { Services } from "../services/index.ts";
import { readImageBody } from "./read-image-body.ts";
import { sendError, sendJson } from "./respond.ts";
import { answerModelError, createModelServer, isUndecodableImage, type ModelServer } from "./served-model.ts";
import { verifyPair } from "./verify-pair.ts";

const ROUTE = /^\/api\/runs\/([^/]+)\/(predict|verify)$/;

export interface PredictRouteOptions {
  /** Where exported models are copied out of the blob store, one folder per model hash. */
  cacheDir: string;
  /** How many models stay loaded in memory. */
  maxLoadedModels?: number;
  /** Largest image accepted, in bytes (each of the two for verify). */
  maxImageBytes?: number;
}

async function predict(
  req: IncomingMessage,
  res: ServerResponse,
  runId: string,
  models: ModelServer,
  services: Services,
  maxImageBytes: number,
): Promise<void> {
  const served = await models.load(services, runId);
  const image = await readImageBody(req, maxImageBytes);
  if (served.kind === "embedding") {
    const embedding = await served.model.embed(image);
    sendJson(res, 200, { runId, embedding, embedding_dim: embedding.length });
    return;
  }
  const prediction = await served.model.predict(image);
  sendJson(res, 200, {
    runId,
    probabilities: prediction.probabilities,
    predicted: prediction.predicted,
    ...(prediction.thresholds ? { thresholds: prediction.thresholds } : {}),
  });
}

/**
 * `POST /api/runs/<runId>/predict` with an image (raw `image/*` body or a multipart `file`
 * field): class probabilities and the decision of the run's exported image-classifier model, or
 * the embedding of a metric-learning run's model. `POST /api/runs/<runId>/verify` with two images
 * (multipart `image1` and `image2`): their cosine similarity and whether they show the same
 * identity at the threshold the run chose on its verification pairs.
 */
export function predictRoute(opts: PredictRouteOptions): ExtraRoute & { loaded: ModelServer["loaded"] } {
  const models = createModelServer(opts.cacheDir, opts.maxLoadedModels ?? 4);
  const maxImageBytes = opts.maxImageBytes ?? 20 * 1024 * 1024;

  const route: ExtraRoute = async (req, res, url, ctx) => {
    const match = ROUTE.exec(url.pathname);
    if (!match) return false;
    const action = match[2] as "predict" | "verify";
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      sendError(res, 405, "METHOD_NOT_SUPPORTED", `${req.method} is not supported on ${action}; use POST`);
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
      if (action === "predict") await predict(req, res, runId, models, ctx.services, maxImageBytes);
      else await verifyPair(req, res, runId, models, ctx.services, maxImageBytes);
    } catch (error) {
      if (answerModelError(req, res, error)) return true;
      if (isUndecodableImage(error)) sendError(res, 400, "BAD_REQUEST", `body: ${error.message}`);
      else throw error;
    }
    return true;
  };
  return Object.assign(route, { loaded: models.loaded });
}
