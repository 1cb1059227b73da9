import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { isRejectedRequest, retryDelays } from "./retry.ts";

const answered = (httpStatus: number) =>
  Object.assign(new TRPCClientError(`status ${httpStatus}`), { data: { httpStatus } });

describe("the bridge's retry rules", () => {
  it("gives a message up only when Labtrack refused it as bad input", () => {
    expect([400, 413, 422].map((s) => isRejectedRequest(answered(s)))).toEqual([true, true, true]);
    // Unreachable, overloaded, a token to fix, a rate limit: worth waiting for.
    expect([401, 403, 429, 500, 503].map((s) => isRejectedRequest(answered(s)))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(isRejectedRequest(new TypeError("fetch failed"))).toBe(false);
  });

  it("doubles its waits up to the cap", async () => {
    const delays = retryDelays(1, 4);
    const started = Date.now();
    for (let i = 0; i < 4; i += 1) await delays.next().value?.();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1 + 2 + 4 + 4 - 2);
  });
});
