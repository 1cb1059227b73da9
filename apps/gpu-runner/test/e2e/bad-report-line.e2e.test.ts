import { DB_KINDS, dataOf, type TestServer } from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  type RunnerProcess,
  runnerToken,
  spawnRunner,
  startFastServer,
  stopRunner,
  waitFor,
} from "./harness.ts";

describe.each(DB_KINDS)("a report line the server would refuse (%s)", (kind) => {
  let server: TestServer;
  let runner: RunnerProcess;
  beforeAll(async () => {
    server = await startFastServer(kind);
    runner = spawnRunner(server.url, await runnerToken(server), `bad-line-${kind}`);
  }, 60_000);
  afterAll(async () => {
    await stopRunner(runner, "SIGKILL");
    await server.close();
  }, 60_000);

  it("is set aside with a line saying why; its run's other points and the next run go through", async () => {
    const client = api(server);
    const first = await client.enqueue({
      spec: {
        kind: "command",
        command: "echo '@labtrack loss=1 epoch=3000000000 step=0'; echo '@labtrack loss=0.5 step=1'",
      },
    });
    const second = await client.enqueue({
      spec: { kind: "command", command: "echo '@labtrack acc=0.9 step=0'; echo '@labtrack acc=0.95 step=1'" },
    });
    for (const run of [first, second]) {
      await waitFor(
        "the run to succeed",
        async () => (await client.run(run.id)).status === "succeeded",
        45_000,
      );
    }
    const steps = async (runId: string, key: string) =>
      dataOf<{ steps: number[] }[]>(
        await client.call("metrics.series", { runIds: [runId], keys: [key] }, "query"),
      )[0]?.steps;
    expect(await steps(first.id, "loss")).toEqual([1]);
    expect(await steps(second.id, "acc")).toEqual([0, 1]);
    const said = (await client.logs(first.id)).find(
      (l) => l.stream === "system" && l.text.includes("ignored"),
    );
    expect(said?.text).toMatch(/@labtrack (line|metric) ignored: .*epoch/);
  }, 120_000);
});
