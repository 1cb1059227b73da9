/** Seconds a client is told to wait (`Retry-After`) when the database cannot be reached. */
export const DATABASE_RETRY_AFTER_S = 2;

/** Socket errors (Node) and postgres.js's own connection error codes. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * SQLSTATEs that mean "the server is going away or not there yet", not "your statement is wrong":
 * class 08 (connection exception), admin/crash shutdown, cannot connect now, too many connections.
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith("08") || ["57P01", "57P02", "57P03", "53300"].includes(code);
}

/**
 * True when `error` (or one of its causes: TRPCError -> DrizzleQueryError -> driver error) says the
 * database could not be reached, as opposed to a statement that failed. Such a request can succeed
 * when tried again, so it is answered 503 with Retry-After instead of 500.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || isUnavailableSqlState(code))) return true;
    // PGlite after close() (the process is shutting down): the next process will answer.
    if (current.message === "PGlite is closed") return true;
    if (current instanceof AggregateError && current.errors.some((e) => isDatabaseUnreachable(e)))
      return true;
    current = current.cause;
  }
  return false;
}
