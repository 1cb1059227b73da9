import { describe, expect, it } from "vitest";
import { classifySendFailure, SERVER_ERROR_TRIES, shouldRetrySend } from "./send-failure.ts";

const trpcError = (code: string, httpStatus: number) =>
  Object.assign(new Error(code), { data: { code, httpStatus } });

describe("classifySendFailure", () => {
  it("keeps retrying what an outage looks like: no answer, 503 (database down), 502, 504, 429, 401", () => {
    expect(classifySendFailure(new TypeError("fetch failed"))).toBe("transient");
    for (const status of [401, 429, 502, 503, 504]) {
      expect(classifySendFailure(trpcError("SERVICE_UNAVAILABLE", status))).toBe("transient");
      expect(classifySendFailure(Object.assign(new Error("http"), { status }))).toBe("transient");
    }
  });

  it("never retries a 4xx the server will give again, and retries a 500 only a few times", () => {
    expect(classifySendFailure(trpcError("BAD_REQUEST", 400))).toBe("rejected");
    expect(classifySendFailure(trpcError("NOT_FOUND", 404))).toBe("rejected");
    expect(classifySendFailure(Object.assign(new Error("http"), { status: 413 }))).toBe("rejected");
    expect(shouldRetrySend(trpcError("BAD_REQUEST", 400), 1)).toBe(false);
    const crash = trpcError("INTERNAL_SERVER_ERROR", 500);
    expect(classifySendFailure(crash)).toBe("server-error");
    expect(shouldRetrySend(crash, SERVER_ERROR_TRIES - 1)).toBe(true);
    expect(shouldRetrySend(crash, SERVER_ERROR_TRIES)).toBe(false);
    expect(shouldRetrySend(trpcError("SERVICE_UNAVAILABLE", 503), 10_000)).toBe(true);
  });
});
