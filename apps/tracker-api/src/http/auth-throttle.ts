import { hashToken } from "../services/tokens.ts";

export interface AuthThrottleOptions {
  /** Wrong tokens an address may send within `windowMs` before it has to wait. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = { maxFailures: 20, windowMs: 60_000 };

/** Thrown instead of checking a token while its address is throttled. */
export class AuthThrottledError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`too many wrong tokens from this address; retry in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }
}

const MAX_TRACKED = 50_000;
const KNOWN_GOOD_MS = 60 * 60_000;

/**
 * Slows down guessing tokens: an address that sent `maxFailures` wrong tokens within `windowMs`
 * gets 429 (Retry-After) for any token not seen valid lately, without the token being checked,
 * until its oldest failure leaves the window. Tokens that authenticated in the last hour are still
 * checked, so clients already working from that address (a NAT, a shared host) are not slowed.
 */
export class AuthThrottle {
  private readonly failures = new Map<string, number[]>();
  /** sha256 of tokens that authenticated lately, and when. */
  private readonly knownGood = new Map<string, number>();

  constructor(private readonly opts: AuthThrottleOptions = DEFAULT_AUTH_THROTTLE) {}

  private recent(address: string, now: number): number[] {
    const list = (this.failures.get(address) ?? []).filter((at) => at > now - this.opts.windowMs);
    if (list.length === 0) this.failures.delete(address);
    else this.failures.set(address, list);
    return list;
  }

  /** Throws AuthThrottledError when `token` must not be checked for `address` now. */
  assertMayTry(address: string, token: string, now = Date.now()): void {
    const list = this.recent(address, now);
    if (list.length < this.opts.maxFailures) return;
    const seen = this.knownGood.get(hashToken(token));
    if (seen !== undefined && seen > now - KNOWN_GOOD_MS) return;
    throw new AuthThrottledError(list[0]! + this.opts.windowMs - now);
  }

  recordFailure(address: string, now = Date.now()): void {
    if (this.failures.size >= MAX_TRACKED && !this.failures.has(address)) this.failures.clear();
    const list = this.recent(address, now);
    list.push(now);
    if (list.length > this.opts.maxFailures) list.shift();
    this.failures.set(address, list);
  }

  recordSuccess(token: string, now = Date.now()): void {
    if (this.knownGood.size >= MAX_TRACKED) this.knownGood.clear();
    this.knownGood.set(hashToken(token), now);
  }
}
