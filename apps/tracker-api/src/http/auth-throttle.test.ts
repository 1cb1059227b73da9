import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";
import { AuthThrottle, AuthThrottledError } from "./auth-throttle.ts";

describe("auth throttle", () => {
  it("lets an address fail maxFailures times in the window, then makes unknown tokens wait", () => {
    const throttle = new AuthThrottle({ maxFailures: 3, windowMs: 1_000 });
    throttle.recordSuccess("good", 0);
    for (let i = 0; i < 3; i++) {
      throttle.assertMayTry("1.2.3.4", "guess", 100 + i);
      throttle.recordFailure("1.2.3.4", 100 + i);
    }
    expect(() => throttle.assertMayTry("1.2.3.4", "guess", 500)).toThrow(AuthThrottledError);
    try {
      throttle.assertMayTry("1.2.3.4", "guess", 500);
    } catch (error) {
      expect((error as AuthThrottledError).retryAfterMs).toBe(600);
    }
    throttle.assertMayTry("1.2.3.4", "good", 500);
    throttle.assertMayTry("5.6.7.8", "guess", 500);
    throttle.assertMayTry("1.2.3.4", "guess", 1_101);
  });
});

/** A GET from a chosen loopback address, so two clients of one test are two addresses. */
function getFrom(
  localAddress: string,
  url: string,
  token: string,
): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] }));
    });
    req.on("error", reject);
  });
}

describe.each(DB_KINDS)("wrong tokens over HTTP on %s", (kind) => {
  let server: TestServer;
  let valid: string;
  const whoami = () => `${server.url}/trpc/tokens.whoami`;

  beforeAll(async () => {
    server = await startTestServer(kind, { authThrottle: { maxFailures: 5, windowMs: 60_000 } });
    const created = await callProcedure(server, server.adminToken, "tokens.create", {
      name: "v",
      scope: "user",
    });
    valid = dataOf<{ token: string }>(created).token;
  });
  afterAll(() => server.close());

  it("answers 429 with Retry-After once an address sent too many wrong tokens, and keeps serving valid ones", async () => {
    expect((await getFrom("127.0.0.1", whoami(), valid)).status).toBe(200);
    const answers: number[] = [];
    for (let i = 0; i < 8; i++)
      answers.push((await getFrom("127.0.0.1", whoami(), `lt_user_guess${i}`)).status);
    expect(answers).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const limited = await getFrom("127.0.0.1", whoami(), "lt_user_guess-again");
    expect(Number(limited.retryAfter)).toBeGreaterThan(50);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
    // Every route that takes a token, not only tRPC.
    const artifact = `${server.url}/api/artifacts/0b5f4a4e-5a0e-4b7c-9d55-1f2b3c4d5e6f/x`;
    expect((await getFrom("127.0.0.1", artifact, "lt_user_guess")).status).toBe(429);
    const mlflow = await getFrom(
      "127.0.0.1",
      `${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`,
      "x",
    );
    expect(mlflow.status).toBe(429);
    expect(Number(mlflow.retryAfter)).toBeGreaterThan(0);
    // A token that worked from here is still checked and served; other addresses are not slowed.
    expect((await getFrom("127.0.0.1", whoami(), valid)).status).toBe(200);
    expect((await getFrom("127.0.0.2", whoami(), "lt_user_guess")).status).toBe(401);
    expect((await getFrom("127.0.0.2", whoami(), server.adminToken)).status).toBe(200);
  });
});
