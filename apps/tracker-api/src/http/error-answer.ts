import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import { DATABASE_RETRY_AFTER_S, isDatabaseUnreachable } from "../db/database-unreachable.ts";

const ids = new WeakMap<object, string>();

/**
 * The id a failed request is known by: written in the server's log line next to the full error
 * (SQL text, parameters, stack) and in the short answer the client gets, so one finds the other.
 */
export function requestIdOf(error: object): string {
  let id = ids.get(error);
  if (!id) {
    id = randomBytes(8).toString("hex");
    ids.set(error, id);
  }
  return id;
}

export const DATABASE_UNREACHABLE_MESSAGE = `the database is unreachable; retry in ${DATABASE_RETRY_AFTER_S} s (nothing of this request was stored)`;

export function internalErrorMessage(error: object): string {
  return `internal error (request id ${requestIdOf(error)}; the server log has the details)`;
}

/** Logs an error no route expected and answers 503 (database unreachable) or a short 500. */
export function sendUnexpectedError(res: ServerResponse, error: unknown, log: Logger, what: string): void {
  const unreachable = isDatabaseUnreachable(error);
  const key = error instanceof Error ? error : new Error(String(error));
  const requestId = requestIdOf(key);
  if (unreachable) log.warn({ err: key, requestId, what }, "database unreachable");
  else log.error({ err: key, requestId, what }, "request failed");
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const [status, code, message] = unreachable
    ? [503, "SERVICE_UNAVAILABLE", DATABASE_UNREACHABLE_MESSAGE]
    : [500, "INTERNAL_SERVER_ERROR", internalErrorMessage(key)];
  const body = JSON.stringify({ error: { message, code, httpStatus: status, requestId } });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...(unreachable && { "retry-after": String(DATABASE_RETRY_AFTER_S) }),
  });
  res.end(body);
}
