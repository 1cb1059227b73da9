import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";

describe.each(DB_KINDS)("auth and tokens on %s", (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it("serves /healthz without a token and refuses procedures without one", async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(await health.json()).toEqual({ ok: true, database: kind });
    const anonymous = await callProcedure(server, null, "projects.list", undefined, "query");
    expect(anonymous.status).toBe(401);
    const wrong = await callProcedure(
      server,
      "lt_user_not-a-real-token",
      "projects.list",
      undefined,
      "query",
    );
    expect(wrong.status).toBe(401);
  });

  it("lets admins make scoped tokens, stores only hashes, and revokes them", async () => {
    const created = await callProcedure(server, server.adminToken, "tokens.create", {
      name: "alice",
      scope: "user",
    });
    const { token, id } = dataOf<{ token: string; id: number }>(created);
    expect(token).toMatch(/^lt_user_/);
    const rows = await server.services.database.query<{ token_hash: string }>(
      (await import("drizzle-orm")).sql`SELECT token_hash FROM api_tokens WHERE id = ${id}`,
    );
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.token_hash).not.toContain(token);
    const asUser = await callProcedure(server, token, "tokens.whoami", undefined, "query");
    expect(asUser.body.result?.data).toEqual({ name: "alice", scope: "user", projects: null });
    const forbidden = await callProcedure(server, token, "tokens.create", { name: "x", scope: "admin" });
    expect(forbidden.status).toBe(403);
    const listed = await callProcedure(server, server.adminToken, "tokens.list", undefined, "query");
    expect(JSON.stringify(listed.body)).not.toContain(token);
    await callProcedure(server, server.adminToken, "tokens.revoke", { id });
    expect((await callProcedure(server, token, "tokens.whoami", undefined, "query")).status).toBe(401);
  });
});
