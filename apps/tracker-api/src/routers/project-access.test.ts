import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../root.ts";
import { sweepYaml } from "../test-support/procedure-inputs.ts";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";
import { openWsSession } from "../test-support/ws-session.ts";

type Method = "query" | "mutation";
type Ids = Record<"runF" | "runB" | "runS" | "queuedF" | "queuedB" | "sweepF" | "sweepB" | "sweepS", string>;
/**
 * For every procedure: an input on a project the limited token may not use that way (refused
 * with 403), and one on a project it may (answered 200); or why the procedure has no project.
 */
type Case =
  | { method: Method; outside: (ids: Ids) => unknown; inside?: (ids: Ids) => unknown }
  | { noProject: string };

const command = { kind: "command", command: "true" };
const points = [{ key: "loss", step: 0, value: 1 }];

const CASES: Record<string, Case> = {
  "projects.list": { noProject: "answers only readable projects (tested below)" },
  "projects.create": {
    method: "mutation",
    outside: () => ({ slug: "birds" }),
    inside: () => ({ slug: "seedlings" }),
  },
  "runs.create": {
    method: "mutation",
    outside: () => ({ project: "birds" }),
    inside: () => ({ project: "flowers" }),
  },
  "runs.get": { method: "query", outside: (i) => ({ runId: i.runS }), inside: (i) => ({ runId: i.runB }) },
  "runs.list": {
    method: "query",
    outside: () => ({ project: "secret" }),
    inside: () => ({ project: "birds" }),
  },
  "runs.update": {
    method: "mutation",
    outside: (i) => ({ runId: i.runB, name: "x" }),
    inside: (i) => ({ runId: i.runF, name: "renamed" }),
  },
  "runs.finish": {
    method: "mutation",
    outside: (i) => ({ runId: i.runB, status: "failed" }),
    inside: (i) => ({ runId: i.runF, status: "succeeded" }),
  },
  "runs.setResults": {
    method: "mutation",
    outside: (i) => ({ runId: i.runB, results: { a: 1 } }),
    inside: (i) => ({ runId: i.runF, results: { a: 1 } }),
  },
  "runs.events": { method: "query", outside: (i) => ({ runId: i.runS }), inside: (i) => ({ runId: i.runB }) },
  "runs.clone": {
    method: "mutation",
    outside: (i) => ({ runId: i.queuedB }),
    inside: (i) => ({ runId: i.queuedF }),
  },
  "runs.cancel": {
    method: "mutation",
    outside: (i) => ({ runId: i.queuedB }),
    inside: (i) => ({ runId: i.queuedF }),
  },
  "metrics.log": {
    method: "mutation",
    outside: (i) => ({ runId: i.runB, points }),
    inside: (i) => ({ runId: i.runF, points }),
  },
  "metrics.series": {
    method: "query",
    outside: (i) => ({ runIds: [i.runF, i.runS], keys: ["loss"] }),
    inside: (i) => ({ runIds: [i.runF, i.runB], keys: ["loss"] }),
  },
  "metrics.keys": {
    method: "query",
    outside: (i) => ({ runIds: [i.runS] }),
    inside: (i) => ({ runIds: [i.runF, i.runB] }),
  },
  "metrics.attempts": {
    method: "query",
    outside: (i) => ({ runId: i.runS }),
    inside: (i) => ({ runId: i.runB }),
  },
  "logs.append": {
    method: "mutation",
    outside: (i) => ({ runId: i.runB, lines: [{ text: "x" }] }),
    inside: (i) => ({ runId: i.runF, lines: [{ text: "x" }] }),
  },
  "logs.tail": { method: "query", outside: (i) => ({ runId: i.runS }), inside: (i) => ({ runId: i.runB }) },
  "artifacts.list": {
    method: "query",
    outside: (i) => ({ runId: i.runS }),
    inside: (i) => ({ runId: i.runB }),
  },
  "datasets.list": { noProject: "datasets belong to no project: runs of any project train on them" },
  "datasets.get": { noProject: "datasets belong to no project: runs of any project train on them" },
  "tokens.create": { method: "mutation", outside: () => ({ name: "x", scope: "user" }) },
  "tokens.list": { method: "query", outside: () => undefined },
  "tokens.revoke": { method: "mutation", outside: () => ({ id: 1 }) },
  "tokens.whoami": { noProject: "answers the token's own limits (tested below)" },
  "live.runs": { noProject: "a subscription: tested over a WebSocket below" },
  "queue.enqueue": {
    method: "mutation",
    outside: () => ({ project: "birds", spec: command }),
    inside: () => ({ project: "flowers", spec: command }),
  },
  "queue.list": {
    method: "query",
    outside: () => ({ project: "secret" }),
    inside: () => ({ project: "birds" }),
  },
  "runners.register": {
    noProject: "bound to the registering token; claims offer only writable projects (below)",
  },
  "runners.claim": { noProject: "offers only runs of projects the token may write (tested below)" },
  "runners.heartbeat": { noProject: "bound to the registering token (runner-identity.test.ts)" },
  "runners.report": { noProject: "bound to the registering token (runner-identity.test.ts)" },
  "runners.stop": { noProject: "bound to the registering token (runner-identity.test.ts)" },
  "runners.list": { noProject: "leaves out runs of unreadable projects (tested below)" },
  "sweeps.create": {
    method: "mutation",
    outside: () => ({ project: "birds", config: sweepYaml }),
    inside: () => ({ project: "flowers", config: { ...sweepYaml, name: "florist-sweep" } }),
  },
  "sweeps.get": {
    method: "query",
    outside: (i) => ({ sweepId: i.sweepS }),
    inside: (i) => ({ sweepId: i.sweepB }),
  },
  "sweeps.list": {
    method: "query",
    outside: () => ({ project: "secret" }),
    inside: () => ({ project: "birds" }),
  },
  "sweeps.pause": {
    method: "mutation",
    outside: (i) => ({ sweepId: i.sweepB }),
    inside: (i) => ({ sweepId: i.sweepF }),
  },
  "sweeps.resume": {
    method: "mutation",
    outside: (i) => ({ sweepId: i.sweepB }),
    inside: (i) => ({ sweepId: i.sweepF }),
  },
  "sweeps.cancel": {
    method: "mutation",
    outside: (i) => ({ sweepId: i.sweepB }),
    inside: (i) => ({ sweepId: i.sweepF }),
  },
};

describe.each(DB_KINDS)("project-limited tokens on %s", (kind) => {
  let server: TestServer;
  let ids: Ids;
  let limited: string;
  const admin = (procedure: string, input: unknown, method: Method = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);
  const newRun = async (project: string) =>
    dataOf<{ id: string }>(await admin("runs.create", { project })).id;
  const newSweep = async (project: string) =>
    dataOf<{ id: string }>(await admin("sweeps.create", { project, config: sweepYaml })).id;
  const enqueue = async (project: string, queue = "default") =>
    dataOf<{ id: string }>(await admin("queue.enqueue", { project, spec: command, queue })).id;

  beforeAll(async () => {
    server = await startTestServer(kind);
    ids = {
      runF: await newRun("flowers"),
      runB: await newRun("birds"),
      runS: await newRun("secret"),
      queuedF: await enqueue("flowers"),
      queuedB: await enqueue("birds"),
      sweepF: await newSweep("flowers"),
      sweepB: await newSweep("birds"),
      sweepS: await newSweep("secret"),
    };
    for (const runId of [ids.runF, ids.runB, ids.runS]) await admin("metrics.log", { runId, points });
    const created = await admin("tokens.create", {
      name: "florist",
      scope: "user",
      projects: [
        { project: "flowers", access: "write" },
        { project: "birds", access: "read" },
        { project: "seedlings", access: "write" },
      ],
    });
    limited = dataOf<{ token: string }>(created).token;
  });
  afterAll(() => server.close());

  it("has a case for every procedure", () => {
    expect(Object.keys(appRouter._def.procedures).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [procedure, c] of Object.entries(CASES)) {
    if ("noProject" in c) continue;
    it(`${procedure}: refuses other projects, serves its own`, async () => {
      const refused = await callProcedure(server, limited, procedure, c.outside(ids), c.method);
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      if (c.inside) {
        const served = await callProcedure(server, limited, procedure, c.inside(ids), c.method);
        expect(served.status, JSON.stringify(served.body)).toBe(200);
      }
    });
  }

  it("names the field and the limits in a refusal, and changes nothing", async () => {
    const refused = await callProcedure(server, limited, "runs.update", { runId: ids.runB, name: "x" });
    expect(refused.body.error?.message).toMatch(/^runId: run .* is in a project token florist may not write/);
    expect(dataOf<{ name: string }>(await admin("runs.get", { runId: ids.runB }, "query")).name).not.toBe(
      "x",
    );
    const project = await callProcedure(server, limited, "runs.create", { project: "secret" });
    expect(project.body.error?.message).toBe(
      "project: token florist may not write project 'secret'; it is limited to flowers (write), birds (read), seedlings (write)",
    );
  });

  it("lists only readable projects and queued runs, and shows its limits on whoami and tokens.list", async () => {
    const projects = dataOf<{ slug: string }[]>(
      await callProcedure(server, limited, "projects.list", undefined, "query"),
    );
    expect(projects.map((p) => p.slug).sort()).toEqual(["birds", "flowers", "seedlings"]);
    await enqueue("secret");
    const queued = dataOf<{ project: string }[]>(
      await callProcedure(server, limited, "queue.list", {}, "query"),
    );
    expect(queued.length).toBeGreaterThan(0);
    expect(queued.every((q) => q.project !== "secret")).toBe(true);
    const me = dataOf<{ projects: unknown }>(
      await callProcedure(server, limited, "tokens.whoami", undefined, "query"),
    );
    expect(me.projects).toEqual([
      { project: "flowers", access: "write" },
      { project: "birds", access: "read" },
      { project: "seedlings", access: "write" },
    ]);
    const tokens = dataOf<{ name: string; projects: unknown }[]>(
      await admin("tokens.list", undefined, "query"),
    );
    expect(tokens.find((t) => t.name === "florist")?.projects).toEqual(me.projects);
    const adminList = dataOf<{ slug: string }[]>(await admin("projects.list", undefined, "query"));
    expect(adminList.map((p) => p.slug)).toContain("secret");
  });

  it("refuses limits on admin tokens and a project listed twice, naming the field", async () => {
    const adminLimited = await admin("tokens.create", {
      name: "x",
      scope: "admin",
      projects: [{ project: "flowers", access: "read" }],
    });
    expect(adminLimited.status).toBe(400);
    expect(adminLimited.body.error?.data.fields?.map((f) => f.path.join("."))).toEqual(["projects"]);
    const twice = await admin("tokens.create", {
      name: "x",
      scope: "user",
      projects: [
        { project: "flowers", access: "read" },
        { project: "flowers", access: "write" },
      ],
    });
    expect(twice.body.error?.data.fields?.map((f) => f.path.join("."))).toEqual(["projects.1.project"]);
  });

  it("gives a limited runner token only runs of projects it may write", async () => {
    const runnerToken = dataOf<{ token: string }>(
      await admin("tokens.create", {
        name: "flower-runner",
        scope: "runner",
        projects: [{ project: "flowers", access: "write" }],
      }),
    ).token;
    const secretRun = await enqueue("secret", "scoped");
    const flowerRun = await enqueue("flowers", "scoped");
    const { runnerId } = dataOf<{ runnerId: string }>(
      await callProcedure(server, runnerToken, "runners.register", {
        name: "flower-host",
        queues: ["scoped"],
        capabilities: { hostname: "h", gpus: [], backends: ["cpu"], cpus: 1, memoryMb: 1024 },
        slots: [
          { index: 0, gpuIndices: [] },
          { index: 1, gpuIndices: [] },
        ],
      }),
    );
    const claim = (slot: number) =>
      callProcedure(server, runnerToken, "runners.claim", { runnerId, slot, waitMs: 0 }).then((r) =>
        dataOf<{ id: string } | null>(r),
      );
    expect((await claim(0))?.id).toBe(flowerRun);
    expect(await claim(1)).toBeNull();
    expect(dataOf<{ status: string }>(await admin("runs.get", { runId: secretRun }, "query")).status).toBe(
      "queued",
    );
    // A token that may not read 'secret' sees the runner's slot, not which secret run is in it.
    const adminRunner = dataOf<{ runnerId: string }>(
      await admin("runners.register", {
        name: "admin-host",
        queues: ["scoped"],
        capabilities: { hostname: "h", gpus: [], backends: ["cpu"], cpus: 1, memoryMb: 1024 },
        slots: [{ index: 0, gpuIndices: [] }],
      }),
    ).runnerId;
    expect(
      dataOf<{ id: string }>(await admin("runners.claim", { runnerId: adminRunner, slot: 0, waitMs: 0 })).id,
    ).toBe(secretRun);
    type Listed = { name: string; slots: { run: { id: string } | null }[] }[];
    const seen = dataOf<Listed>(await callProcedure(server, limited, "runners.list", {}, "query"));
    expect(seen.find((r) => r.name === "admin-host")?.slots[0]?.run).toBeNull();
    expect(seen.find((r) => r.name === "flower-host")?.slots[0]?.run?.id).toBe(flowerRun);
  });

  it("refuses a live subscription to an unreadable project, and sends nothing of other projects' runs", async () => {
    const session = await openWsSession(server.url, limited);
    try {
      const refused = session.subscribe("live.runs", { project: "secret" });
      const byRuns = session.subscribe("live.runs", { runIds: [ids.runS, ids.runB] });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await admin("logs.append", { runId: ids.runS, lines: [{ text: "secret line" }] });
      await admin("logs.append", { runId: ids.runB, lines: [{ text: "bird line" }] });
      await expect.poll(() => session.data(byRuns).length).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(session.error(refused)?.data?.code).toBe("FORBIDDEN");
      const texts = session.data(byRuns).map((d) => JSON.stringify(d));
      expect(texts).toHaveLength(1);
      expect(texts[0]).toContain("bird line");
    } finally {
      session.close();
    }
  });

  it("guards artifacts and datasets over plain HTTP", async () => {
    const auth = { authorization: `Bearer ${limited}` };
    const put = (runId: string) =>
      fetch(`${server.url}/api/artifacts/${runId}/notes.txt`, { method: "PUT", headers: auth, body: "hi" });
    expect((await put(ids.runB)).status).toBe(403);
    expect((await put(ids.runF)).status).toBe(201);
    await fetch(`${server.url}/api/artifacts/${ids.runS}/notes.txt`, {
      method: "PUT",
      headers: { authorization: `Bearer ${server.adminToken}` },
      body: "secret",
    });
    const secret = await fetch(`${server.url}/api/artifacts/${ids.runS}/notes.txt`, { headers: auth });
    expect(secret.status).toBe(403);
    expect(((await secret.json()) as { error: { message: string } }).error.message).toMatch(/^runId: /);
    expect((await fetch(`${server.url}/api/artifacts/${ids.runF}/notes.txt`, { headers: auth })).status).toBe(
      200,
    );
    const dataset = await fetch(`${server.url}/api/datasets/shared`, {
      method: "PUT",
      headers: auth,
      body: "x",
    });
    expect(dataset.status).toBe(403);
    expect(((await dataset.json()) as { error: { message: string } }).error.message).toMatch(/^token: /);
    expect((await fetch(`${server.url}/api/datasets/none/latest`, { headers: auth })).status).toBe(404);
  });
});
