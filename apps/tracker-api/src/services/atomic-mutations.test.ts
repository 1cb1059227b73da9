import type { LiveEvent } from "@labtrack/schemas";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";
import { recoverLostRun } from "./lease-reaper.ts";

type RunOut = { id: string; status: string; results: Record<string, unknown> };
const command = { kind: "command", command: "true" };

/**
 * A statement that fails half-way through a mutation, as a full disk or a dropped connection
 * would: these triggers raise on rows marked `boom`, after the mutation's first writes went in.
 */
const FAILING_WRITES = [
  sql`CREATE FUNCTION labtrack_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'boom: % refused', TG_TABLE_NAME; END $$`,
  sql`CREATE TRIGGER boom_runs BEFORE INSERT ON runs FOR EACH ROW WHEN (NEW.name = 'boom')
    EXECUTE FUNCTION labtrack_test_boom()`,
  sql`CREATE TRIGGER boom_events BEFORE INSERT ON run_events FOR EACH ROW
    WHEN (NEW.reason LIKE 'boom%' OR (NEW.actor = 'boom-reaper' AND NEW.to_status = 'queued'))
    EXECUTE FUNCTION labtrack_test_boom()`,
];

describe.each(DB_KINDS)("a failing mutation changes nothing, on %s", (kind) => {
  let server: TestServer;
  const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);
  const projectSlugs = async () =>
    (await server.database.query<{ slug: string }>(sql`SELECT slug FROM projects ORDER BY slug`)).map(
      (r) => r.slug,
    );
  const eventsOf = async (runId: string) =>
    dataOf<{ to: string; reason: string | null }[]>(await call("runs.events", { runId }, "query"));
  const published: LiveEvent[] = [];
  const listening = new AbortController();

  beforeAll(async () => {
    server = await startTestServer(kind, { queueSettings: { reaperIntervalMs: 60_000 } });
    for (const statement of FAILING_WRITES) await server.database.query(statement);
    // What subscribers are told: events that were committed.
    const stream = server.services.bus.subscribe({ project: "atomic" }, null, listening.signal);
    void (async () => {
      for await (const { event } of stream) published.push(event);
    })();
  });
  afterAll(async () => {
    listening.abort();
    await server.close();
  });

  it("runs.create that fails does not leave its new project behind", async () => {
    const res = await call("runs.create", { project: "ghost-create", name: "boom" });
    expect(res.status).toBe(500);
    expect(await projectSlugs()).not.toContain("ghost-create");
    // Without the failure, the same call makes the project.
    expect((await call("runs.create", { project: "ghost-create", name: "ok" })).status).toBe(200);
    expect(await projectSlugs()).toContain("ghost-create");
  });

  it("queue.enqueue that fails does not leave its new project behind", async () => {
    const res = await call("queue.enqueue", { project: "ghost-queue", name: "boom", spec: command });
    expect(res.status).toBe(500);
    expect(await projectSlugs()).not.toContain("ghost-queue");
    // The service called directly (as the MLflow adapter and the CLI do) is atomic too.
    await expect(
      server.services.runs.create({ project: "ghost-direct", name: "boom", tags: [], config: {} }, "test"),
    ).rejects.toThrow(/boom/);
    expect(await projectSlugs()).not.toContain("ghost-direct");
  });

  it("runs.cancel whose event cannot be written leaves the run as it was, and tells no subscriber", async () => {
    const run = dataOf<RunOut>(await call("queue.enqueue", { project: "atomic", spec: command }));
    await expect.poll(() => published.some((e) => e.kind === "status" && e.runId === run.id)).toBe(true);
    published.length = 0;
    const res = await call("runs.cancel", { runId: run.id, reason: "boom: the event insert fails" });
    expect(res.status).toBe(500);
    expect(dataOf<RunOut>(await call("runs.get", { runId: run.id }, "query")).status).toBe("queued");
    expect((await eventsOf(run.id)).map((e) => e.to)).toEqual(["queued"]);
    expect(published.filter((e) => e.kind === "status")).toEqual([]);
    const ok = await call("runs.cancel", { runId: run.id, reason: "changed my mind" });
    expect(dataOf<RunOut>(ok).status).toBe("canceled");
    // Events arrive in commit order: once the second cancel's is here, the first's would be too.
    await expect.poll(() => published.some((e) => e.kind === "status")).toBe(true);
    expect(published.filter((e) => e.kind === "status")).toEqual([
      expect.objectContaining({ runId: run.id, status: "canceled", reason: "changed my mind" }),
    ]);
  });

  it("runs.finish on a finished run answers 409 and keeps its results", async () => {
    const run = dataOf<RunOut>(await call("runs.create", { project: "atomic" }));
    const done = await call("runs.finish", { runId: run.id, status: "succeeded", results: { acc: 0.9 } });
    expect(dataOf<RunOut>(done).results).toEqual({ acc: 0.9 });
    const again = await call("runs.finish", { runId: run.id, status: "failed", results: { acc: 0.1, x: 1 } });
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toMatch(/^status: .*succeeded/);
    const after = dataOf<RunOut>(await call("runs.get", { runId: run.id }, "query"));
    expect(after).toMatchObject({ status: "succeeded", results: { acc: 0.9 } });
  });

  it("a lost run is queued again in the same transaction, or stays as it was", async () => {
    const run = dataOf<RunOut>(
      await call("queue.enqueue", { project: "atomic", queue: "lost", spec: command }),
    );
    await server.database.query(sql`UPDATE runs SET status = 'running' WHERE id = ${run.id}::uuid`);
    const held = { id: run.id, status: "running" as const, attempt: 1, maxAttempts: 3, runner: "gone" };
    // The second step (queued again) fails: the first (lost) must not stay behind on its own.
    await expect(recoverLostRun(server.services.runs, held, "runner gone", "boom-reaper")).rejects.toThrow(
      /boom/,
    );
    expect(dataOf<RunOut>(await call("runs.get", { runId: run.id }, "query")).status).toBe("running");
    expect(await recoverLostRun(server.services.runs, held, "runner gone")).toBe("queued");
    expect((await eventsOf(run.id)).map((e) => e.to)).toEqual(["queued", "lost", "queued"]);
  });
});
