import { randomUUID } from "node:crypto";
import { classifySendFailure, SERVER_ERROR_TRIES } from "./send-failure.ts";

/** How long `print` keeps retrying a batch the server did not answer (or answered 503) before it throws. */
export const PRINT_RETRY_MS = 60_000;

/**
 * Sends one batch of log lines under one `batchId` for all its tries: when an answer is lost
 * (the connection dropped after the server stored the lines), the retry is recognised by the
 * server and stores nothing twice. Transient failures (no answer, 502/503/504 and the like) are
 * retried with backoff for `retryMs`, a 500 a few times; a refusal (4xx) is thrown at once.
 */
export async function sendLogBatch<Answer>(
  send: (batchId: string) => Promise<Answer>,
  opts: { retryMs?: number; baseDelayMs?: number } = {},
): Promise<Answer> {
  const batchId = randomUUID();
  const deadline = Date.now() + (opts.retryMs ?? PRINT_RETRY_MS);
  let delay = opts.baseDelayMs ?? 200;
  let serverErrors = 0;
  for (;;) {
    try {
      return await send(batchId);
    } catch (error) {
      const failure = classifySendFailure(error);
      serverErrors = failure === "server-error" ? serverErrors + 1 : 0;
      const retry =
        failure === "transient" || (failure === "server-error" && serverErrors < SERVER_ERROR_TRIES);
      if (!retry || Date.now() + delay > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 5_000);
  }
}
