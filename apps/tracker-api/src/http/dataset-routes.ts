import type { IncomingMessage, ServerResponse } from "node:http";
import { datasetName, datasetVersion } from "@labtrack/schemas";
import type { Logger } from "pino";
import type { Services } from "../services/index.ts";
import type { Caller } from "../trpc.ts";
import { sendError, sendJson, sendRouteError, sendStream } from "./respond.ts";

const PREFIX = "/api/datasets/";
/** Datasets are bigger than artifacts usually are; still bounded so one push cannot fill the disk. */
const MAX_DATASET_BYTES = 50 * 1024 ** 3;

/** `/api/datasets/<name>[/<version>|/latest]`, checked; throws with a message naming the bad part. */
export function parseDatasetUrl(pathname: string): { name: string; version?: number } {
  const [rawName = "", rawVersion, ...extra] = pathname.slice(PREFIX.length).split("/");
  if (extra.length > 0) throw new Error("path: expected /api/datasets/<name>[/<version>]");
  const name = datasetName.safeParse(rawName);
  if (!name.success) throw new Error(`name: '${rawName}' ${name.error.issues[0]?.message}`);
  if (rawVersion === undefined || rawVersion === "latest") return { name: name.data };
  const version = datasetVersion.safeParse(Number(rawVersion));
  if (!/^\d+$/.test(rawVersion) || !version.success) {
    throw new Error(`version: '${rawVersion}' is not a positive whole number or 'latest'`);
  }
  return { name: name.data, version: version.data };
}

/**
 * `PUT /api/datasets/<name>` with a tar body pushes a version (201 new, 200 when the same
 * bytes already are one); `GET /api/datasets/<name>/<version|latest>` streams it back.
 */
export async function handleDatasetRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: { services: Services; caller: Caller | null; log: Logger },
): Promise<void> {
  if (!ctx.caller) return sendError(res, 401, "UNAUTHORIZED", "missing or invalid bearer token");
  let target: { name: string; version?: number };
  try {
    target = parseDatasetUrl(url.pathname);
  } catch (error) {
    return sendError(res, 400, "BAD_REQUEST", (error as Error).message);
  }
  try {
    if (req.method === "PUT") {
      if (ctx.caller.scope === "runner") {
        return sendError(res, 403, "FORBIDDEN", "pushing a dataset needs a user or admin token");
      }
      ctx.services.access.assertUnlimited(ctx.caller, "a dataset");
      if (target.version !== undefined) {
        return sendError(
          res,
          400,
          "BAD_REQUEST",
          "version: the server numbers versions; PUT /api/datasets/<name>",
        );
      }
      const pushed = await ctx.services.datasets.push(target.name, req, { maxBytes: MAX_DATASET_BYTES });
      return sendJson(res, pushed.created ? 201 : 200, pushed);
    }
    if (req.method === "GET" || req.method === "HEAD") {
      const found = await ctx.services.datasets.get(target.name, target.version);
      res.writeHead(200, {
        "content-type": "application/x-tar",
        "content-length": found.size,
        etag: `"${found.sha256}"`,
        "x-labtrack-dataset-version": String(found.version),
        "x-labtrack-dataset-sha256": found.sha256,
        "content-disposition": `attachment; filename="${found.name}-${found.version}.tar"`,
      });
      if (req.method === "HEAD") return void res.end();
      sendStream(res, ctx.services.datasets.blobs.read(found.sha256), ctx.log, { dataset: found });
      return;
    }
    res.setHeader("allow", "GET, HEAD, PUT");
    return sendError(res, 405, "METHOD_NOT_SUPPORTED", `${req.method} is not supported on datasets`);
  } catch (error) {
    sendRouteError(res, error, ctx.log, "dataset");
  }
}
