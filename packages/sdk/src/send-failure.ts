/**
 * Why a call to the tracker failed, as a client that must not lose data sees it:
 * - `transient`: no answer, a timeout, or 408/425/429/502/503/504 (503 is what the API answers while
 *   its database is unreachable): keep the data and send it again, however long that takes;
 * - `server-error`: 500, a bug on the server that may or may not go away: retry a few times;
 * - `rejected`: any other 4xx (401 aside): the server will refuse it again however often it is sent.
 */
export type SendFailure = "transient" | "server-error" | "rejected";

// 401 too: a token being fixed or rotated should not cost the data sent meanwhile.
const TRANSIENT_STATUSES = new Set([401, 408, 425, 429, 502, 503, 504]);
const REJECTED_CODES = new Set([
  "BAD_REQUEST",
  "PARSE_ERROR",
  "CONFLICT",
  "NOT_FOUND",
  "FORBIDDEN",
  "PAYLOAD_TOO_LARGE",
  "UNPROCESSABLE_CONTENT",
  "METHOD_NOT_SUPPORTED",
  "PRECONDITION_FAILED",
]);

/** How many times in a row a batch may meet a 500 before it is set aside. */
export const SERVER_ERROR_TRIES = 5;

export function classifySendFailure(error: unknown): SendFailure {
  const data = (error as { data?: { code?: unknown; httpStatus?: unknown } } | null)?.data;
  const status =
    typeof data?.httpStatus === "number" ? data.httpStatus : (error as { status?: unknown } | null)?.status;
  if (typeof status === "number") {
    if (TRANSIENT_STATUSES.has(status)) return "transient";
    if (status >= 400 && status < 500) return "rejected";
    if (status === 500) return "server-error";
    return "transient";
  }
  if (typeof data?.code === "string" && REJECTED_CODES.has(data.code)) return "rejected";
  // No HTTP answer at all: connection refused or reset, DNS, a timeout.
  return "transient";
}

/** The spool's retry rule: transient failures forever, a 500 a few times, a rejection never. */
export function shouldRetrySend(error: unknown, failures: number): boolean {
  const kind = classifySendFailure(error);
  return kind === "transient" || (kind === "server-error" && failures < SERVER_ERROR_TRIES);
}
