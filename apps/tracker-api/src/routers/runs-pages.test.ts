import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";

type Page = { runs: { id: string; name: string }[]; nextCursor: string | null; total: number };

/** Sort fields of every kind, each with runs that have no value for it (nulls) and ties. */
const SORTS = [
  { field: "createdAt", direction: "desc" },
  { field: "createdAt", direction: "asc" },
  { field: "name", direction: "asc" },
  { field: "config.lr", direction: "asc" },
  { field: "config.lr", direction: "desc" },
  { field: "config.backbone", direction: "desc" },
  { field: "summary.loss.min", direction: "asc" },
  { field: "summary.loss.last", direction: "desc" },
  { field: "tags.stage", direction: "asc" },
  { field: "status", direction: "desc" },
] as const;

describe.each(DB_KINDS)("runs.list pages on %s", (kind) => {
  let server: TestServer;
  const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);
  let made = 0;
  /** A run with varied values: lr a number, a text or missing; loss logged or not; ties on purpose. */
  const createRun = async (project: string) => {
    const i = made++;
    const lr = [0.1, 0.01, "auto", undefined, 0.01][i % 5];
    const res = await call("runs.create", {
      project,
      name: `run-${i % 7}`,
      config: { ...(lr === undefined ? {} : { lr }), ...(i % 3 ? { backbone: `b${i % 2}` } : {}) },
      keyValueTags: i % 4 ? { stage: `s${i % 3}` } : {},
    });
    const { id } = dataOf<{ id: string }>(res);
    if (i % 3 !== 2) {
      await call("metrics.log", {
        runId: id,
        points: [
          { key: "loss", step: 0, value: (i % 4) / 2 },
          { key: "loss", step: 1, value: i % 2 },
        ],
      });
    }
    return id;
  };
  const list = async (input: Record<string, unknown>) => {
    const res = await call("runs.list", input, "query");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return dataOf<Page>(res);
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it.each(SORTS)(
    "pages by $field $direction without a duplicate or a gap while runs are created between pages",
    async (sort) => {
      const project = `pages-${sort.field.replace(/\W/g, "-")}-${sort.direction}`.toLowerCase();
      for (let i = 0; i < 11; i++) await createRun(project);
      const whole = (await list({ project, sort, limit: 1000 })).runs.map((r) => r.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await list({ project, sort, limit: 3, cursor });
        seen.push(...page.runs.map((r) => r.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
        // Created between two pages: wherever they sort, the runs already there neither move nor repeat.
        await createRun(project);
        await createRun(project);
      }
      expect(new Set(seen).size).toBe(seen.length);
      const before = new Set(whole);
      expect(seen.filter((id) => before.has(id))).toEqual(whole);
    },
  );

  it("refuses a cursor it did not make, or one made for another sort, with a 400 naming cursor", async () => {
    const project = "pages-bad-cursor";
    for (let i = 0; i < 3; i++) await createRun(project);
    const first = await list({ project, limit: 1, sort: { field: "name", direction: "asc" } });
    expect(first.nextCursor).not.toBeNull();
    const garbage = [
      "not base64 json",
      Buffer.from(JSON.stringify({ o: 2 })).toString("base64url"),
      Buffer.from(JSON.stringify({ s: "asc:name", v: [1], id: "x" })).toString("base64url"),
    ];
    const misused = [
      { sort: { field: "name", direction: "desc" }, cursor: first.nextCursor },
      { sort: { field: "config.lr", direction: "asc" }, cursor: first.nextCursor },
      ...garbage.map((cursor) => ({ sort: { field: "name", direction: "asc" }, cursor })),
    ];
    for (const input of misused) {
      const res = await call("runs.list", { project, limit: 1, ...input }, "query");
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain("cursor");
    }
  });
});
