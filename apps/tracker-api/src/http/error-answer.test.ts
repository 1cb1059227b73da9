import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createDatabase } from "../db/client.ts";
import { createLabtrackServer, type LabtrackServer } from "../server.ts";
import { createServices } from "../services/index.ts";
import { freePort } from "../test-support/free-port.ts";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";

const ADMIN = "error-answer-admin-token-0123456789";

/** A server whose database does not answer: a Postgres URL on a port nobody listens on. */
async function serverWithoutDatabase(): Promise<{ url: string; close: () => Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-nodb-"));
  const database = await createDatabase({
    databaseUrl: `postgres://postgres@127.0.0.1:${await freePort()}/nothing`,
  });
  const services = createServices({ database, dataDir, envAdminToken: ADMIN });
  const app: LabtrackServer = createLabtrackServer({ services, log: pino({ level: "silent" }) });
  // The HTTP server alone: app.listen would first follow token revocations, which needs the database.
  await new Promise<void>((resolve) => app.server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    async close() {
      await app.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

describe("when the database cannot be reached", () => {
  let server: { url: string; close: () => Promise<void> } | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it("answers tRPC calls 503 with Retry-After, for the token check and for the procedure", async () => {
    server = await serverWithoutDatabase();
    const procedure = await fetch(`${server.url}/trpc/runs.create`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ project: "down" }),
    });
    expect(procedure.status).toBe(503);
    expect(procedure.headers.get("retry-after")).toBe("2");
    const body = (await procedure.json()) as { error: { message: string; data: { code: string } } };
    expect(body.error.data.code).toBe("SERVICE_UNAVAILABLE");
    expect(body.error.message).toMatch(/database is unreachable/);

    // A token that is not the environment's admin token is looked up in the database.
    const tokenCheck = await callProcedure(server, "lt_user_not-cached", "runs.list", {}, "query");
    expect(tokenCheck.status).toBe(503);
  });

  it("answers every call of a lasting outage 503 at once, not after a reconnect delay grown to seconds", async () => {
    // postgres.js's own reconnect delay grows 3x a failed try (shared by the pool), up to 20 s, and
    // a request given a connection that failed before waited it out: past the pool's first ten
    // connections, calls waited 1-20 s each (the 25 calls took 18 s); capped at 0.5 s, about 1 s.
    server = await serverWithoutDatabase();
    const started = performance.now();
    for (let call = 0; call < 25; call++) {
      const res = await callProcedure(server, ADMIN, "runs.list", { project: "down" }, "query");
      expect(res.status).toBe(503);
    }
    expect(performance.now() - started).toBeLessThan(6_000);
  }, 90_000);

  it("answers the plain HTTP routes 503 with Retry-After", async () => {
    server = await serverWithoutDatabase();
    const artifact = await fetch(
      `${server.url}/api/artifacts/00000000-0000-4000-8000-000000000000/model/weights.bin`,
      { headers: { authorization: "Bearer lt_user_not-cached" } },
    );
    expect(artifact.status).toBe(503);
    expect(artifact.headers.get("retry-after")).toBe("2");
    const body = (await artifact.json()) as { error: { code: string } };
    expect(body.error.code).toBe("SERVICE_UNAVAILABLE");
  });
});

describe.each(DB_KINDS)("an unexpected server error (%s)", (kind) => {
  let server: TestServer;
  afterEach(() => server.close());

  it("answers a short message with a request id; the log has the SQL under that id", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    server = await startTestServer(kind, { log: pino({ level: "error" }, sink) });
    const run = dataOf<{ id: string }>(
      await callProcedure(server, server.adminToken, "runs.create", { project: "broken" }),
    );
    // A statement that fails on the server's side, whatever the input: its table is gone.
    await server.database.query(sql`DROP TABLE run_logs CASCADE`);
    const text = "x".repeat(5_000);
    const res = await callProcedure(server, server.adminToken, "logs.append", {
      runId: run.id,
      lines: Array.from({ length: 50 }, () => ({ text })),
    });
    expect(res.status).toBe(500);
    const raw = JSON.stringify(res.body);
    expect(raw.length).toBeLessThan(1_000);
    expect(raw).not.toMatch(/run_logs|insert into|xxxxx/i);
    const requestId = (res.body.error?.data as { requestId?: string } | undefined)?.requestId;
    expect(requestId).toMatch(/^[0-9a-f]{16}$/);
    expect(res.body.error?.message).toContain(requestId);
    const logged = lines.find((line) => line.includes(requestId ?? "?"));
    expect(logged).toMatch(/run_logs/);
  });
});
