import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@labtrack/sdk";
import {
  callProcedure,
  createOwnPostgresCluster,
  dataOf,
  type OwnPostgresCluster,
  startTestServer,
  type TestServer,
} from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const pythonDir = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const STEPS = Array.from({ length: 5_000 }, (_, step) => step);

async function stepsOf(server: TestServer, runId: string) {
  const series = dataOf<{ key: string; steps: number[] }[]>(
    await callProcedure(
      server,
      server.adminToken,
      "metrics.series",
      { runIds: [runId], keys: ["a", "b", "c", "d"], maxPoints: 20_000 },
      "query",
    ),
  );
  return Object.fromEntries(series.map((s) => [s.key, s.steps]));
}

describe("the Python client and the Node sdk through a Postgres outage", () => {
  let cluster: OwnPostgresCluster;
  let server: TestServer;
  let spoolDir: string;
  beforeAll(async () => {
    cluster = await createOwnPostgresCluster();
    server = await startTestServer("postgres", { databaseUrl: cluster.url });
    spoolDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-py-spool-"));
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    cluster?.drop();
    await rm(spoolDir, { recursive: true, force: true });
  }, 60_000);

  it("delivers all 20,000 points of a script while the database is down for 7 s, raising nothing", async () => {
    const child: ChildProcess = spawn("python3", ["outage_script.py"], {
      cwd: pythonDir,
      env: {
        ...process.env,
        PYTHONDONTWRITEBYTECODE: "1",
        LABTRACK_URL: server.url,
        LABTRACK_TOKEN: server.adminToken,
        LABTRACK_SPOOL_DIR: spoolDir,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    for (let i = 0; i < 600 && !output.includes("run="); i++) await sleep(100);
    const runId = /run=([0-9a-f-]{36})/.exec(output)?.[1];
    expect(runId, output).toBeDefined();
    await sleep(2_000);
    cluster.stop();
    await sleep(7_000);
    cluster.start();
    expect(await exited, output).toBe(0);
    expect(output).not.toMatch(/Traceback|LabtrackError/);
    expect(await stepsOf(server, runId ?? "")).toEqual({ a: STEPS, b: STEPS, c: STEPS, d: STEPS });
  }, 240_000);

  it("delivers all 20,000 points of a Node sdk script while the database is down for 7 s", async () => {
    // The outage (7 s) outlasts spoolAfterMs by far, however slowly the failing requests answer
    // on a loaded machine: the points held then go to the spool file.
    const client = createClient({
      url: server.url,
      token: server.adminToken,
      flushIntervalMs: 200,
      spoolAfterMs: 1_500,
      spoolDir,
    });
    const run = await client.startRun({ project: "outage", name: "sdk-outage" });
    const outage = (async () => {
      await sleep(2_000);
      cluster.stop();
      await sleep(7_000);
      cluster.start();
    })();
    for (const step of STEPS) {
      run.log({ a: step, b: step * 2, c: step * 3, d: step * 4 }, { step });
      await sleep(step % 10 === 0 ? 20 : 0);
    }
    await outage;
    const finished = await run.finish();
    client.close();
    expect(finished.status).toBe("succeeded");
    expect(run.stats.spooled).toBeGreaterThan(0);
    expect(run.stats).toMatchObject({ inMemory: 0, onDisk: 0, dropped: 0 });
    expect(await stepsOf(server, run.id)).toEqual({ a: STEPS, b: STEPS, c: STEPS, d: STEPS });
    expect(Object.values(finished.summary).map((s) => s.count)).toEqual([5_000, 5_000, 5_000, 5_000]);
  }, 240_000);
});
