import type { IncomingMessage, ServerResponse } from "node:http";
import type { Services } from "../services/index.ts";
import { ImageBodyError, readMultipartFiles } from "./read-image-body.ts";
import { sendJson } from "./respond.ts";
import { CONFIG_PATH, isUndecodableImage, type ModelServer, UnservableModelError } from "./served-model.ts";

export const VERIFY_FIELDS = ["image1", "image2"] as const;

/**
 * `POST /api/runs/<id>/verify`: a multipart form with `image1` and `image2`; answers their cosine
 * similarity and `same` at the threshold stored with the run's embedding model.
 */
export async function verifyPair(
  req: IncomingMessage,
  res: ServerResponse,
  runId: string,
  models: ModelServer,
  services: Services,
  maxImageBytes: number,
): Promise<void> {
  const served = await models.load(services, runId);
  if (served.kind !== "embedding") {
    throw new UnservableModelError(
      422,
      `run ${runId} exported an image classifier; verify needs a metric-learning run (task: metric-learning)`,
    );
  }
  const verification = served.model.config.verification;
  if (!verification) {
    throw new UnservableModelError(
      422,
      `${CONFIG_PATH}: verification: none; the run had no verification pairs, so it chose no threshold`,
    );
  }
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "multipart/form-data") {
    throw new ImageBodyError(
      415,
      `content-type: verify takes multipart/form-data with '${VERIFY_FIELDS[0]}' and '${VERIFY_FIELDS[1]}' files, got '${type || "none"}'`,
    );
  }
  const images = await readMultipartFiles(req, VERIFY_FIELDS, maxImageBytes);
  const embeddings: number[][] = [];
  for (const [i, image] of images.entries()) {
    const field = VERIFY_FIELDS[i] as string;
    if (image.length === 0) throw new ImageBodyError(400, `${field}: the image is empty`);
    try {
      embeddings.push(await served.model.embed(image));
    } catch (error) {
      if (isUndecodableImage(error)) throw new ImageBodyError(400, `${field}: ${error.message}`);
      throw error;
    }
  }
  const [a = [], b = []] = embeddings;
  const similarity = a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);
  sendJson(res, 200, {
    runId,
    similarity,
    threshold: verification.threshold,
    same: similarity >= verification.threshold,
  });
}
