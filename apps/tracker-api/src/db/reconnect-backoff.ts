/** The longest wait, in seconds, before a lost Postgres connection is tried again. */
export const MAX_RECONNECT_DELAY_S = 0.5;

/**
 * Seconds postgres.js waits before it opens a lost connection again (its `backoff` option), with
 * jitter so that many API processes do not knock at once. postgres.js's own default grows 3x a try
 * up to 20 s, and a request queued meanwhile waits out that delay: during an outage the API held
 * requests for up to 7-20 s instead of answering 503 at once, and after the outage it took as long
 * to reconnect. Capped at half a second, a queued request meets the outage (503) or the database
 * back within about that.
 */
export function reconnectBackoffSeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, MAX_RECONNECT_DELAY_S) * (0.5 + Math.random() / 2);
}
