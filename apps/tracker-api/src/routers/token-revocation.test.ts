import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOKEN_REVOKED_CLOSE_CODE } from "../http/token-sockets.ts";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";
import { openWsSession } from "../test-support/ws-session.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The socket's close code, or "still open" after two seconds. */
const closeCode = (closed: Promise<number>) => Promise.race([closed, sleep(2_000).then(() => "still open")]);

async function newToken(server: TestServer, name: string): Promise<{ id: number; token: string }> {
  return dataOf(await callProcedure(server, server.adminToken, "tokens.create", { name, scope: "user" }));
}

describe.each(DB_KINDS)("revoking a token on %s", (kind) => {
  let server: TestServer;
  const admin = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it("ends the WebSockets opened with it at once: no more reads, writes or events", async () => {
    const { id, token } = await newToken(server, "soon-revoked");
    const runId = dataOf<{ id: string }>(await admin("runs.create", { project: "revoking" })).id;
    const session = await openWsSession(server.url, token);
    const events = session.subscribe("live.runs", { runIds: [runId] });
    const read = await session.request("query", "runs.get", { runId });
    expect(read.error).toBeUndefined();
    await admin("logs.append", { runId, lines: [{ text: "before" }] });
    await expect.poll(() => session.data(events).length).toBe(1);

    const revokedAt = Date.now();
    await admin("tokens.revoke", { id });
    expect(await closeCode(session.closed)).toBe(TOKEN_REVOKED_CLOSE_CODE);
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    await admin("logs.append", { runId, lines: [{ text: "after" }] });
    await sleep(300);
    expect(session.data(events)).toHaveLength(1);

    const again = await openWsSession(server.url, token);
    try {
      const write = await again.request("mutation", "logs.append", { runId, lines: [{ text: "revoked" }] });
      expect(write.error?.data?.code).toBe("UNAUTHORIZED");
    } finally {
      again.close();
    }
    const tail = dataOf<{ lines: { text: string }[] }>(await admin("logs.tail", { runId }, "query"));
    expect(tail.lines.map((l) => l.text)).toEqual(["before", "after"]);
  });

  it("leaves other tokens' sockets open", async () => {
    const kept = await newToken(server, "kept");
    const { id } = await newToken(server, "dropped");
    const session = await openWsSession(server.url, kept.token);
    try {
      await admin("tokens.revoke", { id });
      await sleep(200);
      const whoami = await session.request("query", "tokens.whoami", undefined);
      expect(whoami.error).toBeUndefined();
    } finally {
      session.close();
    }
  });
});

/** Several API processes share one Postgres: each caches tokens, and each must drop a revoked one at once. */
describe.each(DB_KINDS.filter((kind) => kind === "postgres"))(
  "two API processes on one %s database",
  (kind) => {
    let first: TestServer;
    let second: TestServer;

    beforeAll(async () => {
      first = await startTestServer(kind);
      second = await startTestServer(kind, { databaseUrl: first.databaseUrl });
    });
    afterAll(async () => {
      await second.close();
      await first.close();
    });

    it("stops accepting a token revoked through the other process within a second, sockets included", async () => {
      const { id, token } = await newToken(first, "shared");
      const whoami = () => callProcedure(second, token, "tokens.whoami", undefined, "query");
      expect((await whoami()).status).toBe(200);
      const session = await openWsSession(second.url, token);
      const revokedAt = Date.now();
      await callProcedure(first, first.adminToken, "tokens.revoke", { id });
      await expect.poll(async () => (await whoami()).status, { timeout: 1_000, interval: 50 }).toBe(401);
      expect(await closeCode(session.closed)).toBe(TOKEN_REVOKED_CLOSE_CODE);
      expect(Date.now() - revokedAt).toBeLessThan(1_000);
    });
  },
);
