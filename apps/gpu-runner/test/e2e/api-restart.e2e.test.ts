import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createScratchPostgres,
  DB_KINDS,
  type DbKind,
  dataOf,
  type TestServer,
  testDatabaseUrl,
} from "@labtrack/tracker-api/test-support";
import { afterAll, describe, expect, it } from "vitest";
import {
  api,
  type RunnerProcess,
  runnerToken,
  spawnRunner,
  startFastServer,
  stopRunner,
  waitFor,
} from "./harness.ts";

const POINTS = 60;

describe.each(DB_KINDS)("the API stopped for a few seconds mid-run on %s", (kind: DbKind) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }, 60_000);

  it("gets every metric and log line once the API is back, none twice", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "labtrack-restart-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let databaseUrl: string | undefined;
    if (kind === "postgres" && testDatabaseUrl) {
      const scratch = await createScratchPostgres(testDatabaseUrl);
      databaseUrl = scratch.url;
      cleanups.push(scratch.drop);
    }
    const start = (port?: number) => startFastServer(kind, { dataDir, databaseUrl, ...(port && { port }) });
    let server: TestServer = await start();
    const port = Number(new URL(server.url).port);
    const token = await runnerToken(server);
    const runner: RunnerProcess = spawnRunner(server.url, token, `steady-${kind}`);
    cleanups.push(() => stopRunner(runner, "SIGKILL"));

    const queued = await api(server).enqueue({
      name: "through-outage",
      spec: {
        kind: "command",
        command: [
          process.execPath,
          "-e",
          `let i = 0; const t = setInterval(() => { console.log("@labtrack step=" + i + " loss=" + (1 / (i + 1))); console.log("line " + i); if (++i === ${POINTS}) clearInterval(t); }, 100);`,
        ],
      },
    });
    await waitFor("the first metrics", async () => {
      const res = await api(server).call("metrics.keys", { runIds: [queued.id] }, "query");
      return (res.body.result?.data as unknown[] | undefined)?.length;
    });
    await server.close();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    server = await start(port);
    cleanups.push(() => server.close());
    const client = api(server);
    const run = await waitFor(
      "the run to finish after the outage",
      async () => {
        const r = await client.run(queued.id);
        return (r.status === "succeeded" || r.status === "failed") && r;
      },
      30_000,
    );
    expect(run).toMatchObject({ status: "succeeded", attempt: 1 });
    const series = await client.call(
      "metrics.series",
      { runIds: [queued.id], keys: ["loss"], maxPoints: 1000 },
      "query",
    );
    const [loss] = dataOf<{ steps: number[]; total: number }[]>(series);
    expect(loss?.steps).toEqual(Array.from({ length: POINTS }, (_, i) => i));
    const summary = (await client.call("runs.get", { runId: queued.id }, "query")).body.result?.data as {
      summary: Record<string, { count: number }>;
    };
    // The summary counts stored points: a point sent twice would be stored (and counted) once.
    expect(summary.summary.loss?.count).toBe(POINTS);
    const lines = (await client.logs(queued.id)).filter(
      (l) => l.stream === "stdout" && l.text.startsWith("line "),
    );
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: POINTS }, (_, i) => `line ${i}`));
  }, 90_000);
});
