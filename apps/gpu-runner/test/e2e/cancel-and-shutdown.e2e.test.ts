import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
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

/** Running, not gone and not a zombie waiting for a parent that does not reap orphans. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

describe.each(DB_KINDS)("cancel, bad specs and runner shutdown on %s", (kind) => {
  let server: TestServer;
  const runners: RunnerProcess[] = [];
  const scratch = mkdtempSync(path.join(os.tmpdir(), "labtrack-cancel-"));

  beforeAll(async () => {
    server = await startFastServer(kind);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(runners.map((r) => stopRunner(r, "SIGKILL")));
    await server.close();
  }, 60_000);

  it("refuses bad specs at enqueue, naming the field", async () => {
    const client = api(server);
    const res = await client.call("queue.enqueue", {
      project: "e2e",
      spec: { kind: "command", command: ["python3"], timeout_seconds: -5 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toMatch(/spec\.timeout_seconds/);
    const missing = await client.call("queue.enqueue", { project: "e2e", spec: { kind: "command" } });
    expect(missing.body.error?.message).toMatch(/spec\.command/);
  });

  it("cancels a queued run at once and stops a running one (its whole process group)", async () => {
    const client = api(server);
    const parked = await client.enqueue({ queue: "parked", spec: { kind: "command", command: "true" } });
    expect((await client.call("runs.cancel", { runId: parked.id })).body.result?.data).toMatchObject({
      status: "canceled",
    });

    const token = await runnerToken(server);
    runners.push(spawnRunner(server.url, token, `canceller-${kind}`, { LABTRACK_RUNNER_QUEUES: "cancel" }));
    const pidFile = path.join(scratch, "child.pid");
    const running = await client.enqueue({
      queue: "cancel",
      spec: { kind: "command", command: `sleep 120 & echo $! > ${pidFile}; wait` },
    });
    await waitFor(
      "the run to start",
      async () => (await client.run(running.id)).status === "running" && existsSync(pidFile),
    );
    await waitFor("the pid file", async () => readFileSync(pidFile, "utf8").trim() !== "");
    const sleeper = Number(readFileSync(pidFile, "utf8"));
    expect(alive(sleeper)).toBe(true);
    const asked = await client.call("runs.cancel", { runId: running.id });
    expect(asked.body.result?.data).toMatchObject({ status: "canceling" });
    await waitFor(
      "the run to end canceled",
      async () => (await client.run(running.id)).status === "canceled",
      15_000,
    );
    expect(alive(sleeper)).toBe(false);
  }, 60_000);

  it("on SIGTERM stops claiming and hands unfinished runs back to the queue", async () => {
    const client = api(server);
    const token = await runnerToken(server);
    const leaving = spawnRunner(server.url, token, `leaving-${kind}`, {
      LABTRACK_RUNNER_QUEUES: "handback",
      LABTRACK_RUNNER_GRACE_MS: "500",
    });
    runners.push(leaving);
    const run = await client.enqueue({ queue: "handback", spec: { kind: "command", command: "sleep 60" } });
    await waitFor("the run to start", async () => (await client.run(run.id)).status === "running");
    leaving.child.kill("SIGTERM");
    expect(await leaving.exited).toBe(0);
    const after = await client.run(run.id);
    expect(after).toMatchObject({ status: "queued", attempt: 2, runner: null });
    const events = await client.events(run.id);
    expect(events.at(-1)?.reason).toMatch(/handed back by leaving/);
    const runnersList = await client.call("runners.list", {}, "query");
    const entry = dataOf<{ name: string; online: boolean }[]>(runnersList).find(
      (r) => r.name === leaving.name,
    );
    expect(entry).toMatchObject({ online: false });
  }, 60_000);
});
