import type { IncomingMessage, ServerResponse } from "node:http";
import { type ArtifactKind, artifactKind, runId as runIdSchema } from "@labtrack/schemas";
import type { Logger } from "pino";
import { validateArtifactPath } from "../services/artifacts.ts";
import { BlobRejectedError } from "../services/blob-store.ts";
import type { Services } from "../services/index.ts";
import type { Caller } from "../trpc.ts";
import { artifactDownloadHeaders, sendError, sendJson, sendRouteError, sendStream } from "./respond.ts";

const PREFIX = "/api/artifacts/";
/** Optional on PUT: the body's sha256 as the client computed it; checked before anything is kept. */
const SHA256_HEADER = "x-labtrack-sha256";

/** `/api/artifacts/<runId>/<path>` split and checked; throws with a message naming the bad part. */
export function parseArtifactUrl(pathname: string): { runId: string; path: string } {
  const rest = pathname.slice(PREFIX.length);
  const slash = rest.indexOf("/");
  const runId = slash < 0 ? rest : rest.slice(0, slash);
  if (!runIdSchema.safeParse(runId).success) throw new Error(`runId: '${runId}' is not a run id`);
  if (slash < 0) throw new Error("path: missing after the run id");
  let decoded: string;
  try {
    decoded = rest
      .slice(slash + 1)
      .split("/")
      .map((segment) => decodeURIComponent(segment))
      .join("/");
  } catch {
    throw new Error("path: is not valid percent-encoding");
  }
  // An encoded '/' inside a segment would smuggle a separator past the checks.
  if (
    rest
      .slice(slash + 1)
      .split("/")
      .some((s) => /%2f/i.test(s))
  ) {
    throw new Error("path: encoded '/' is not allowed; use plain '/' between segments");
  }
  return { runId, path: validateArtifactPath(decoded) };
}

export async function handleArtifactRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: { services: Services; caller: Caller | null; log: Logger },
): Promise<void> {
  if (!ctx.caller) return sendError(res, 401, "UNAUTHORIZED", "missing or invalid bearer token");
  let target: { runId: string; path: string };
  try {
    // The raw path, not url.pathname: URL parsing would resolve "%2E%2E" segments before we can refuse them.
    target = parseArtifactUrl((req.url ?? "").split("?")[0] ?? "");
  } catch (error) {
    return sendError(res, 400, "BAD_REQUEST", (error as Error).message);
  }
  const { access } = ctx.services;
  try {
    if (req.method === "PUT") {
      await access.assertRun(ctx.caller, target.runId, "write");
      const kindText = url.searchParams.get("kind") ?? req.headers["x-labtrack-kind"] ?? "file";
      const kind = artifactKind.safeParse(kindText);
      if (!kind.success) {
        return sendError(res, 400, "BAD_REQUEST", `kind: must be one of ${artifactKind.options.join(", ")}`);
      }
      const expectedSha256 = req.headers[SHA256_HEADER];
      if (expectedSha256 !== undefined && !/^[0-9a-f]{64}$/.test(String(expectedSha256))) {
        return sendError(res, 400, "BAD_REQUEST", `${SHA256_HEADER}: must be 64 lowercase hex digits`);
      }
      const artifact = await ctx.services.artifacts.upload({
        runId: target.runId,
        path: target.path,
        kind: kind.data as ArtifactKind,
        contentType: req.headers["content-type"] ?? null,
        body: req,
        expectedSha256: expectedSha256 === undefined ? undefined : String(expectedSha256),
        uploader: { tokenId: ctx.caller.tokenId, scope: ctx.caller.scope },
      });
      return sendJson(res, 201, artifact);
    }
    if (req.method === "GET" || req.method === "HEAD") {
      await access.assertRun(ctx.caller, target.runId, "read");
      const artifact = await ctx.services.artifacts.require(target.runId, target.path);
      res.writeHead(200, artifactDownloadHeaders(artifact));
      if (req.method === "HEAD") return void res.end();
      sendStream(res, ctx.services.artifacts.blobs.read(artifact.sha256), ctx.log, { artifact: artifact });
      return;
    }
    res.setHeader("allow", "GET, HEAD, PUT");
    return sendError(res, 405, "METHOD_NOT_SUPPORTED", `${req.method} is not supported on artifacts`);
  } catch (error) {
    if (error instanceof BlobRejectedError && error.reason === "sha256-mismatch") {
      return sendError(res, 400, "BAD_REQUEST", `${SHA256_HEADER}: ${error.message}`);
    }
    sendRouteError(res, error, ctx.log, "artifact");
  }
}
