// biome-ignore-all lint/suspicious/noTemplateCurlyInString: sweep placeholders are literal ${name} strings
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  callProcedure,
  createScratchPostgres,
  DB_KINDS,
  type DbKind,
  dataOf,
  type TestServer,
  testDatabaseUrl,
} from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAST_QUEUE,
  type RunnerProcess,
  runnerToken,
  spawnRunner,
  startFastServer,
  stopRunner,
  waitFor,
} from "./harness.ts";

type SweepView = {
  id: string;
  status: string;
  progress: { queued: number; running: number; finished: number; pruned: number; failed: number };
  runs: {
    runId: string;
    status: string;
    index: number;
    params: Record<string, number>;
    goal: number | null;
    pruned: boolean;
  }[];
};

/** A training script: prints `@labtrack` lines of a loss curve set by its arguments (q + 1/step). */
const CURVE_SCRIPT = [
  "const [q, steps, ms] = process.argv.slice(1).map(Number);",
  "let s = 0;",
  "const t = setInterval(() => { s += 1; console.log('@labtrack step=' + s + ' loss=' + (q + 1 / s));",
  "  if (s >= steps) clearInterval(t); }, ms);",
].join("\n");
const curveCommand = (q: string, steps: number, ms: number) => ({
  kind: "command",
  command: [process.execPath, "-e", CURVE_SCRIPT, q, String(steps), String(ms)],
});

const sweepOf = async (server: { url: string; adminToken: string }, sweepId: string) =>
  dataOf<SweepView>(await callProcedure(server, server.adminToken, "sweeps.get", { sweepId }, "query"));
const createSweep = async (server: { url: string; adminToken: string }, config: Record<string, unknown>) =>
  dataOf<SweepView>(
    await callProcedure(server, server.adminToken, "sweeps.create", { project: "e2e-sweeps", config }),
  );
const finished = (server: { url: string; adminToken: string }, sweepId: string, timeoutMs = 90_000) =>
  waitFor(
    "the sweep to finish",
    async () => {
      const s = await sweepOf(server, sweepId);
      return s.status === "finished" && s;
    },
    timeoutMs,
    200,
  );

describe.each(DB_KINDS)("sweeps with real runners on %s", (kind: DbKind) => {
  let server: TestServer;
  let runner: RunnerProcess;
  beforeAll(async () => {
    server = await startFastServer(kind);
    runner = spawnRunner(server.url, await runnerToken(server), `sweeper-${kind}`, {
      LABTRACK_RUNNER_SLOTS: "3",
    });
  }, 60_000);
  afterAll(async () => {
    await stopRunner(runner, "SIGKILL");
    await server.close();
  }, 30_000);

  it("a 2x3 grid of a command spec finishes with exactly 6 runs with the right parameters", async () => {
    const sweep = await createSweep(server, {
      name: "grid-2x3",
      method: "grid",
      metric: { name: "loss", goal: "minimize" },
      parameters: { a: { values: [1, 2] }, b: { values: [10, 20, 30] } },
      concurrency: 3,
      // loss = a*b + 1/step: the goal shows the script got the parameters.
      spec: {
        kind: "command",
        command: [
          process.execPath,
          "-e",
          "const [a, b] = process.argv.slice(1).map(Number); console.log('@labtrack step=1 loss=' + (a * b + 1))",
          "${a}",
          "${b}",
        ],
      },
    });
    const done = await finished(server, sweep.id);
    expect(done.runs.map((r) => [r.index, r.status, r.params, r.goal])).toEqual([
      [0, "succeeded", { a: 1, b: 10 }, 11],
      [1, "succeeded", { a: 1, b: 20 }, 21],
      [2, "succeeded", { a: 1, b: 30 }, 31],
      [3, "succeeded", { a: 2, b: 10 }, 21],
      [4, "succeeded", { a: 2, b: 20 }, 41],
      [5, "succeeded", { a: 2, b: 30 }, 61],
    ]);
  }, 120_000);

  it("a random sweep with run_cap 8 and concurrency 2 never has more than 2 runs active", async () => {
    const sweep = await createSweep(server, {
      name: "random-8",
      method: "random",
      metric: { name: "loss" },
      parameters: { q: { min: 0, max: 1 } },
      run_cap: 8,
      concurrency: 2,
      seed: 11,
      spec: curveCommand("${q}", 3, 100),
    });
    let maxActive = 0;
    const done = await waitFor(
      "the sweep to finish",
      async () => {
        const s = await sweepOf(server, sweep.id);
        maxActive = Math.max(
          maxActive,
          s.runs.filter((r) => ["queued", "running", "canceling"].includes(r.status)).length,
        );
        return s.status === "finished" && s;
      },
      120_000,
      50,
    );
    expect(maxActive).toBe(2);
    expect(done.runs).toHaveLength(8);
    expect(done.runs.every((r) => r.status === "succeeded")).toBe(true);
  }, 150_000);

  it("ASHA prunes the runs whose curves are worse and keeps the best", async () => {
    const sweep = await createSweep(server, {
      name: "asha",
      method: "grid",
      metric: { name: "loss", goal: "minimize" },
      parameters: { q: { values: [0.5, 0, 1] } },
      early_terminate: { type: "hyperband", min_iter: 3, eta: 3 },
      concurrency: 3,
      spec: curveCommand("${q}", 30, 250),
    });
    const done = await finished(server, sweep.id, 60_000);
    const byQ = Object.fromEntries(done.runs.map((r) => [r.params.q, r]));
    expect(byQ[0]).toMatchObject({ status: "succeeded", pruned: false });
    expect(byQ[0.5]).toMatchObject({ status: "canceled", pruned: true });
    expect(byQ[1]).toMatchObject({ status: "canceled", pruned: true });
    expect(done.progress).toMatchObject({ finished: 1, pruned: 2 });
    const events = dataOf<{ reason: string | null }[]>(
      await callProcedure(server, server.adminToken, "runs.events", { runId: byQ[1]?.runId }, "query"),
    );
    expect(events.map((e) => e.reason)).toContainEqual(expect.stringMatching(/^pruned at step \d+$/));
  }, 90_000);
});

const API_MAIN = fileURLToPath(new URL("../../../tracker-api/src/main.ts", import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** tracker-api in its own process (one node process, so SIGKILL really kills it). */
function spawnApi(env: Record<string, string>): { child: ChildProcess; exited: Promise<unknown> } {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, API_MAIN], {
    env: { ...process.env, LABTRACK_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { child, exited: new Promise((resolve) => child.once("exit", resolve)) };
}

describe.each(DB_KINDS)("a sweep across an API killed mid-sweep on %s", (kind: DbKind) => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }, 60_000);

  it("continues after the API is killed and started again, with no duplicate run", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "labtrack-sweep-kill-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let databaseUrl: string | undefined;
    if (kind === "postgres" && testDatabaseUrl) {
      const scratch = await createScratchPostgres(testDatabaseUrl);
      databaseUrl = scratch.url;
      cleanups.push(scratch.drop);
    }
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const server = {
      url: `http://127.0.0.1:${port}`,
      adminToken: `sweep-kill-${Math.random().toString(36).slice(2)}`,
    };
    const env = {
      LABTRACK_PORT: port,
      LABTRACK_HOST: "127.0.0.1",
      LABTRACK_DATA_DIR: dataDir,
      LABTRACK_ADMIN_TOKEN: server.adminToken,
      LABTRACK_LEASE_MS: String(FAST_QUEUE.leaseMs),
      LABTRACK_HEARTBEAT_MS: String(FAST_QUEUE.heartbeatMs),
      LABTRACK_REAPER_INTERVAL_MS: String(FAST_QUEUE.reaperIntervalMs),
      LABTRACK_SWEEP_INTERVAL_MS: "100",
      ...(databaseUrl && { DATABASE_URL: databaseUrl }),
    };
    let api = spawnApi(env);
    cleanups.push(() => api.child.kill("SIGKILL"));
    const up = () =>
      waitFor(
        "the API to answer",
        async () => (await fetch(`${server.url}/healthz`).catch(() => null))?.ok,
        180_000,
        200,
      );
    await up();
    const token = dataOf<{ token: string }>(
      await callProcedure(server, server.adminToken, "tokens.create", {
        name: "sweep-runner",
        scope: "runner",
      }),
    ).token;
    const runner = spawnRunner(server.url, token, `sweep-kill-${kind}`, { LABTRACK_RUNNER_SLOTS: "2" });
    cleanups.push(() => stopRunner(runner, "SIGKILL"));
    const sweep = await createSweep(server, {
      name: "killed",
      method: "bayes",
      metric: { name: "loss" },
      parameters: { q: { min: 0, max: 1 } },
      run_cap: 8,
      concurrency: 2,
      spec: curveCommand("${q}", 4, 150),
    });
    await waitFor(
      "three runs to finish",
      async () => (await sweepOf(server, sweep.id)).progress.finished >= 3,
      90_000,
      100,
    );
    api.child.kill("SIGKILL");
    await api.exited;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    api = spawnApi(env);
    await up();
    const done = await finished(server, sweep.id, 120_000);
    expect(done.runs.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(done.runs.every((r) => r.status === "succeeded")).toBe(true);
    const all = dataOf<{ runs: { group: string | null }[] }>(
      await callProcedure(
        server,
        server.adminToken,
        "runs.list",
        { project: "e2e-sweeps", limit: 100 },
        "query",
      ),
    );
    expect(all.runs.filter((r) => r.group === "killed")).toHaveLength(8);
  }, 480_000);
});
