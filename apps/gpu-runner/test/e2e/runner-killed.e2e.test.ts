import { DB_KINDS, type TestServer } from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  type RunnerProcess,
  runnerToken,
  SHORT_LEASE,
  spawnRunner,
  startFastServer,
  stopRunner,
  waitFor,
} from "./harness.ts";

describe.each(DB_KINDS)("a runner killed with SIGKILL mid-run on %s", (kind) => {
  let server: TestServer;
  const runners: RunnerProcess[] = [];

  beforeAll(async () => {
    server = await startFastServer(kind, { queueSettings: SHORT_LEASE });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(runners.map((r) => stopRunner(r, "SIGKILL")));
    await server.close();
  }, 60_000);

  it("loses the run, queues it again and lets another runner complete it", async () => {
    const client = api(server);
    const token = await runnerToken(server);
    const doomed = spawnRunner(server.url, token, `doomed-${kind}`);
    runners.push(doomed);
    // Attempt 1 hangs (the runner dies under it); attempt 2 finishes at once.
    const queued = await client.enqueue({
      name: "survivor",
      spec: {
        kind: "command",
        command: 'echo "attempt $LABTRACK_ATTEMPT"; if [ "$LABTRACK_ATTEMPT" = 1 ]; then sleep 60; fi',
      },
    });
    await waitFor("the run to start on the doomed runner", async () => {
      const run = await client.run(queued.id);
      return run.status === "running" && run.runner === doomed.name;
    });
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    const rescuer = spawnRunner(server.url, token, `rescuer-${kind}`);
    runners.push(rescuer);
    const done = await waitFor(
      "the run to succeed elsewhere",
      async () => {
        const run = await client.run(queued.id);
        return run.status === "succeeded" && run;
      },
      30_000,
    ).catch(async (error: unknown) => {
      throw new Error(
        `${String(error)}\nrun: ${JSON.stringify(await client.run(queued.id))}\nevents: ${JSON.stringify(await client.events(queued.id))}\nrescuer: ${rescuer.output()}`,
      );
    });
    expect(done).toMatchObject({ runner: rescuer.name, attempt: 2 });
    const events = await client.events(queued.id);
    expect(events.map((e) => e.to)).toEqual(["queued", "running", "lost", "queued", "running", "succeeded"]);
    expect(events[2]?.reason).toMatch(/lease expired/);
    const texts = (await client.logs(queued.id)).map((l) => l.text);
    expect(texts).toContain("attempt 2");
  }, 60_000);
});
