import type { ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { artifactMediaType } from "@labtrack/core";
import { TRPCError } from "@trpc/server";
import type { Logger } from "pino";
import { sendUnexpectedError } from "./error-answer.ts";

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Headers for sending stored artifact bytes: uploaded bytes are never rendered by a browser on
 * this origin (HTML, SVG, XML or a script could run as the dashboard): always a download, and a
 * sandbox in case one opens it anyway. `nosniff` is on every response (server.ts). The type is the
 * upload's, or the extension's when the upload said none or octet-stream (the SDKs' default), so
 * the dashboard's previews (images as `<img>` of a blob) get the real type.
 */
export function artifactDownloadHeaders(artifact: {
  path: string;
  size: number;
  sha256: string;
  contentType: string | null;
}): Record<string, string | number> {
  return {
    "content-type": artifactMediaType(artifact.path, artifact.contentType),
    "content-length": artifact.size,
    etag: `"${artifact.sha256}"`,
    "content-disposition": `attachment; filename="${encodeURIComponent(artifact.path.split("/").pop() ?? "file")}"`,
    "content-security-policy": "default-src 'none'; sandbox",
  };
}

/** Errors outside tRPC use the same shape tRPC's HTTP errors have: `{ error: { message, code } }`. */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { message, code, httpStatus: status } });
}

/** Pipes a stored blob to the response; a read error is logged and ends the response. */
export function sendStream(
  res: ServerResponse,
  stream: Readable,
  log: Logger,
  what: Record<string, unknown>,
): void {
  stream.on("error", (error) => {
    log.error({ err: error, ...what }, "blob unreadable");
    res.destroy(error);
  });
  stream.pipe(res);
}

/**
 * The answer to an error thrown while handling a plain HTTP route: a TRPCError from a service keeps
 * its message (404 for NOT_FOUND, 400 otherwise); anything else is logged and answered with 503
 * (database unreachable) or a short 500 naming a request id.
 */
export function sendRouteError(res: ServerResponse, error: unknown, log: Logger, route: string): void {
  if (error instanceof TRPCError && error.code !== "INTERNAL_SERVER_ERROR") {
    const status = error.code === "NOT_FOUND" ? 404 : error.code === "FORBIDDEN" ? 403 : 400;
    sendError(res, status, error.code, error.message);
    return;
  }
  sendUnexpectedError(res, error, log, route);
}
