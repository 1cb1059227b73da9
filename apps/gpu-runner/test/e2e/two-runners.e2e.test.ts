import { DB_KINDS, type TestServer } from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  type RunnerProcess,
  type RunView,
  runnerToken,
  spawnRunner,
  startFastServer,
  stopRunner,
  waitFor,
} from "./harness.ts";

describe.each(DB_KINDS)("two runners and twenty queued command runs on %s", (kind) => {
  let server: TestServer;
  let runners: RunnerProcess[] = [];

  beforeAll(async () => {
    server = await startFastServer(kind);
    const token = await runnerToken(server);
    runners = [spawnRunner(server.url, token, `a-${kind}`), spawnRunner(server.url, token, `b-${kind}`)];
  }, 60_000);
  afterAll(async () => {
    await Promise.all(runners.map((r) => stopRunner(r)));
    await server.close();
  }, 60_000);

  it("runs every run exactly once, each ends succeeded with its logs and metrics", async () => {
    const client = api(server);
    const runs: RunView[] = [];
    for (let i = 0; i < 20; i++) {
      runs.push(
        await client.enqueue({
          name: `job-${i}`,
          spec: {
            kind: "command",
            command: `echo "job ${i} on $LABTRACK_RUN_ID"; echo "@labtrack step=0 value=${i}"; echo done >&2`,
          },
        }),
      );
    }
    await waitFor(
      "all 20 runs to finish",
      async () => {
        const states = await Promise.all(runs.map((r) => client.run(r.id)));
        return states.every((s) => s.status === "succeeded" || s.status === "failed") && states;
      },
      90_000,
      250,
    );
    const byRunner = new Map<string, number>();
    for (const [i, queued] of runs.entries()) {
      const run = await client.run(queued.id);
      expect(run, `run ${i}: ${JSON.stringify(run)}`).toMatchObject({ status: "succeeded", attempt: 1 });
      const events = await client.events(queued.id);
      expect(events.filter((e) => e.to === "running")).toHaveLength(1);
      byRunner.set(run.runner ?? "?", (byRunner.get(run.runner ?? "?") ?? 0) + 1);
      const logs = await client.logs(queued.id);
      expect(logs.map((l) => l.text)).toContain(`job ${i} on ${queued.id}`);
      expect(logs.find((l) => l.stream === "stderr")?.text).toBe("done");
      const series = await client.call("metrics.series", { runIds: [queued.id], keys: ["value"] }, "query");
      expect(series.body.result?.data).toEqual([expect.objectContaining({ steps: [0], values: [i] })]);
    }
    // Both runners took work.
    expect([...byRunner.keys()].sort()).toEqual([`a-${kind}`, `b-${kind}`]);
  }, 120_000);
});
