import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";

const NUL = "a\u0000b";
const command = { kind: "command", command: "true" };
const capabilities = (hostname: string) => ({ hostname, gpus: [], backends: ["cpu"], cpus: 1, memoryMb: 1 });
const cursorOf = (o: unknown) => Buffer.from(JSON.stringify({ o })).toString("base64url");

type Case = [label: string, procedure: string, input: (runId: string) => unknown, field: string];

/** Each of these answered 500 (a failed query) before the schemas refused them. */
const BAD_INPUTS: Case[] = [
  ["project name", "projects.create", () => ({ slug: "nul", name: NUL }), "name"],
  ["run name", "runs.create", () => ({ project: "fresh-a", name: NUL }), "name"],
  ["group", "runs.create", () => ({ project: "fresh-b", group: NUL }), "group"],
  ["tag", "runs.create", () => ({ project: "fresh-c", tags: ["ok", NUL] }), "tags.1"],
  ["notes", "runs.create", () => ({ project: "fresh-d", notes: NUL }), "notes"],
  ["config key", "runs.create", () => ({ project: "fresh-e", config: { [NUL]: 1 } }), "config.a"],
  [
    "config value",
    "runs.create",
    () => ({ project: "fresh-f", config: { a: { b: [1, NUL] } } }),
    "config.a.b.1",
  ],
  ["lone surrogate", "runs.create", () => ({ project: "fresh-g", config: { a: "\uD800" } }), "config.a"],
  ["results", "runs.setResults", (runId) => ({ runId, results: { m: { x: NUL } } }), "results.m.x"],
  [
    "finish results",
    "runs.finish",
    (runId) => ({ runId, status: "succeeded", results: { r: NUL } }),
    "results.r",
  ],
  ["finish error", "runs.finish", (runId) => ({ runId, status: "failed", error: NUL }), "error"],
  ["update notes", "runs.update", (runId) => ({ runId, notes: NUL }), "notes"],
  ["cancel reason", "runs.cancel", (runId) => ({ runId, reason: NUL }), "reason"],
  ["token name", "tokens.create", () => ({ name: NUL, scope: "user" }), "name"],
  [
    "spec env",
    "queue.enqueue",
    () => ({ project: "fresh-h", spec: { ...command, env: { A: NUL } } }),
    "spec.env.A",
  ],
  [
    "spec argv",
    "queue.enqueue",
    () => ({ project: "fresh-i", spec: { kind: "command", command: ["x", NUL] } }),
    "spec.command.1",
  ],
  ["queue group", "queue.enqueue", () => ({ project: "fresh-j", group: NUL, spec: command }), "group"],
  [
    "clone changes",
    "runs.clone",
    (runId) => ({ runId, specChanges: { env: { A: NUL } } }),
    "specChanges.env.A",
  ],
  [
    "runner hostname",
    "runners.register",
    () => ({ name: "r-nul", capabilities: capabilities(NUL), slots: [{ index: 0, gpuIndices: [] }] }),
    "capabilities.hostname",
  ],
  [
    "runner label",
    "runners.register",
    () => ({
      name: "r-nul",
      capabilities: { ...capabilities("h"), labels: [NUL] },
      slots: [{ index: 0, gpuIndices: [] }],
    }),
    "capabilities.labels.0",
  ],
  [
    "epoch 2^31",
    "metrics.log",
    (runId) => ({ runId, points: [{ key: "loss", step: 0, value: 1, epoch: 2 ** 31 }] }),
    "points.0.epoch",
  ],
  [
    "metric key NUL",
    "metrics.log",
    (runId) => ({ runId, points: [{ key: NUL, step: 0, value: 1 }] }),
    "points.0.key",
  ],
  [
    "metric key 257",
    "metrics.log",
    (runId) => ({ runId, points: [{ key: "k".repeat(257), step: 0, value: 1 }] }),
    "points.0.key",
  ],
  ["log seq 1e300", "logs.append", (runId) => ({ runId, lines: [{ text: "x", seq: 1e300 }] }), "lines.0.seq"],
  ["revoke 2^31", "tokens.revoke", () => ({ id: 2 ** 31 }), "id"],
  [
    "minGpuMemoryMb 2^40",
    "queue.enqueue",
    () => ({ project: "fresh-k", spec: command, requirements: { minGpuMemoryMb: 2 ** 40 } }),
    "requirements.minGpuMemoryMb",
  ],
];

const BAD_QUERIES: Case[] = [
  ["log search", "logs.tail", (runId) => ({ runId, search: NUL }), "search"],
  ["log afterSeq", "logs.tail", (runId) => ({ runId, afterSeq: 1e300 }), "afterSeq"],
  ["artifact prefix", "artifacts.list", (runId) => ({ runId, prefix: NUL }), "prefix"],
  ["filter NUL", "runs.list", () => ({ project: "p", filter: `name = '${NUL}'` }), "filter"],
  ["sort field", "runs.list", () => ({ project: "p", sort: { field: `config.${NUL}` } }), "sort.field"],
  ["list group", "runs.list", () => ({ project: "p", group: NUL }), "group"],
  ["list tag", "runs.list", () => ({ project: "p", tag: NUL }), "tag"],
  ["cursor 1e300", "runs.list", () => ({ project: "p", cursor: cursorOf(1e300) }), "cursor"],
  ["createdAt '1'", "runs.list", () => ({ project: "p", filter: "createdAt > '1'" }), "filter: createdAt"],
  [
    "createdAt 'March 7'",
    "runs.list",
    () => ({ project: "p", filter: "createdAt > 'March 7'" }),
    "filter: createdAt",
  ],
  ["createdAt ~", "runs.list", () => ({ project: "p", filter: "createdAt ~ '2026'" }), "filter: createdAt"],
  [
    "200 nested not",
    "runs.list",
    () => ({ project: "p", filter: `${"not ".repeat(200)}name = a` }),
    "filter",
  ],
];

describe.each(DB_KINDS)("input the database cannot store, on %s", (kind) => {
  let server: TestServer;
  let runId: string;
  const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);
  /** Row counts of every table a request could write to, and the run's own row. */
  const snapshot = async () => {
    const [counts] = await server.database.query(sql`SELECT
      (SELECT count(*) FROM projects)::int AS projects, (SELECT count(*) FROM runs)::int AS runs,
      (SELECT count(*) FROM run_events)::int AS events, (SELECT count(*) FROM api_tokens)::int AS tokens,
      (SELECT count(*) FROM runners)::int AS runners, (SELECT count(*) FROM metric_points)::int AS points,
      (SELECT count(*) FROM run_logs)::int AS logs`);
    const run = await server.database.query(
      sql`SELECT status, name, notes, results, error, updated_at FROM runs WHERE id = ${runId}::uuid`,
    );
    return { counts, run };
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    const queued = await call("queue.enqueue", { project: "p", name: "src", spec: command });
    runId = dataOf<{ id: string }>(queued).id;
  });
  afterAll(() => server.close());

  it.each(BAD_INPUTS)("%s: 400 naming the field, nothing stored", async (_label, procedure, input, field) => {
    const before = await snapshot();
    const res = await call(procedure, input(runId));
    expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(400);
    expect(res.body.error?.message).toContain(field);
    expect(await snapshot()).toEqual(before);
  });

  it.each(BAD_QUERIES)("%s: 400 naming the field", async (_label, procedure, input, field) => {
    const res = await call(procedure, input(runId), "query");
    expect(res.status, JSON.stringify(res.body).slice(0, 400)).toBe(400);
    expect(res.body.error?.message).toContain(field);
  });

  it("refuses JSON nested 5,000 deep with a 400, not a stack overflow", async () => {
    const before = await snapshot();
    const deep = `${"[".repeat(5000)}1${"]".repeat(5000)}`;
    for (const [procedure, body] of [
      ["runs.create", `{"project":"deep","config":{"a":${deep}}}`],
      ["runs.setResults", `{"runId":"${runId}","results":{"a":${deep}}}`],
    ] as const) {
      const response = await fetch(`${server.url}/trpc/${procedure}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${server.adminToken}` },
        body,
      });
      const answer = (await response.json()) as { error: { message: string } };
      expect(response.status).toBe(400);
      expect(answer.error.message).toMatch(/: (config|results)\.a(\.0){31}: nests deeper than 32 levels$/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("takes ISO-8601 dates in createdAt filters, with or without an offset", async () => {
    for (const date of ["2000-01-01", "2000-01-01T00:00", "2000-01-01 00:00:00.5+02:00"]) {
      const res = await call("runs.list", { project: "p", filter: `createdAt > '${date}'` }, "query");
      expect(dataOf<{ total: number }>(res).total, date).toBe(1);
    }
    const future = await call(
      "runs.list",
      { project: "p", filter: "createdAt >= '9999-12-31T23:59:59-15:00'" },
      "query",
    );
    expect(dataOf<{ total: number }>(future).total).toBe(0);
    const long = Array.from({ length: 200 }, (_, i) => `config.x = ${i}`).join(" or ");
    expect((await call("runs.list", { project: "p", filter: long }, "query")).status).toBe(200);
  });

  it("answers 404 naming the run for metrics of a run that does not exist", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    const series = await call("metrics.series", { runIds: [runId, missing], keys: ["loss"] }, "query");
    expect(series.status).toBe(404);
    expect(series.body.error?.message).toBe(`runIds.1: no run with id ${missing}`);
    const keys = await call("metrics.keys", { runIds: [missing] }, "query");
    expect(keys.status).toBe(404);
    expect(keys.body.error?.message).toBe(`runIds.0: no run with id ${missing}`);
    expect((await call("metrics.keys", { runIds: [runId] }, "query")).status).toBe(200);
  });

  it("keeps claiming on a queue holding a run stored with GPU memory past the integer range", async () => {
    const huge = await call("queue.enqueue", { project: "p", queue: "big", priority: 9, spec: command });
    const hugeId = dataOf<{ id: string }>(huge).id;
    // Written before the schema bounded it: the claim used to cast it to int and fail every time.
    await server.database.query(
      sql`UPDATE runs SET requirements = jsonb_set(requirements, '{minGpuMemoryMb}', ${String(2 ** 40)}::jsonb) WHERE id = ${hugeId}::uuid`,
    );
    const normal = dataOf<{ id: string }>(
      await call("queue.enqueue", { project: "p", queue: "big", spec: command }),
    );
    const registered = await call("runners.register", {
      name: "big-runner",
      capabilities: { ...capabilities("h"), gpus: [{ index: 0, name: "H200", memoryMb: 2 ** 40 + 1 }] },
      queues: ["big"],
      slots: [{ index: 0, gpuIndices: [] }],
    });
    const { runnerId } = dataOf<{ runnerId: string }>(registered);
    const claimed = await call("runners.claim", { runnerId, slot: 0 });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(dataOf<{ id: string }>(claimed).id).toBe(normal.id);
    const listed = await call("queue.list", { queue: "big" }, "query");
    expect(dataOf<{ id: string; requirements: { minGpuMemoryMb: number } }[]>(listed)).toEqual([
      expect.objectContaining({
        id: hugeId,
        requirements: expect.objectContaining({ minGpuMemoryMb: 2 ** 31 - 1 }),
      }),
    ]);
    expect((await call("runs.clone", { runId: hugeId })).status).toBe(200);
  });
});
