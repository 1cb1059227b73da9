const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Endless waits that double from `initialMs` up to `maxMs`; each call sleeps the next one. */
export function* retryDelays(initialMs: number, maxMs: number): Generator<() => Promise<void>> {
  let next = initialMs;
  for (;;) {
    const ms = next;
    yield () => sleep(ms);
    next = Math.min(next * 2, maxMs);
  }
}

/** The HTTP status behind a tRPC client error, if the server answered. */
export function httpStatusOf(error: unknown): number | undefined {
  const data = (error as { data?: { httpStatus?: unknown } } | null)?.data;
  return typeof data?.httpStatus === "number" ? data.httpStatus : undefined;
}

/**
 * The server refused the request itself (bad input): sending it again cannot help. Other failures
 * (unreachable, 5xx, an expired token, rate limits) are worth retrying.
 */
export function isRejectedRequest(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === 400 || status === 413 || status === 422;
}
