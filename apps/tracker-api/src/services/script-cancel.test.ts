import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";
import { reapExpiredLeases } from "./lease-reaper.ts";

type RunOut = { id: string; status: string };
type EventOut = { from: string | null; to: string; actor: string; reason: string | null };

describe.each(DB_KINDS)("canceling a script's run on %s", (kind) => {
  let server: TestServer;
  // Long enough that a loaded machine reaches the first reap before the lease runs out.
  const leaseMs = 2_500;
  const call = async <T>(procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    dataOf<T>(await callProcedure(server, server.adminToken, procedure, input, method));
  const scriptRun = (name: string) =>
    call<RunOut>("runs.create", { project: "scripts", name, config: { lr: 0.1 } });
  const statusOf = async (runId: string) => (await call<RunOut>("runs.get", { runId }, "query")).status;

  beforeAll(async () => {
    // The background reaper is kept out of the way (long interval) so each test drives it.
    server = await startTestServer(kind, {
      queueSettings: { leaseMs, heartbeatMs: 100, reaperIntervalMs: 60_000 },
    });
  });
  afterAll(() => server.close());

  it("answers the script's next metrics.log with canceled, and the run ends canceled", async () => {
    const run = await scriptRun("told-by-metrics");
    const point = (step: number) => ({ key: "loss", step, value: 1 / (step + 1) });
    expect(await call("metrics.log", { runId: run.id, points: [point(0)] })).toMatchObject({
      runStatus: "running",
    });
    expect((await call<RunOut>("runs.cancel", { runId: run.id })).status).toBe("canceling");
    expect(await statusOf(run.id)).toBe("canceling");
    // The points of that call are still stored: they were measured before the script knew.
    expect(await call("metrics.log", { runId: run.id, points: [point(1)] })).toEqual({
      inserted: 1,
      received: 1,
      runStatus: "canceled",
    });
    expect(await statusOf(run.id)).toBe("canceled");
    const events = await call<EventOut[]>("runs.events", { runId: run.id }, "query");
    expect(events.map((e) => e.to)).toEqual(["running", "canceling", "canceled"]);
    expect(events.at(-1)?.reason).toMatch(/told of the cancel/);
    // Later calls keep saying so.
    expect(await call("metrics.log", { runId: run.id, points: [point(2)] })).toMatchObject({
      runStatus: "canceled",
    });
  });

  it("answers logs.append with canceled too", async () => {
    const run = await scriptRun("told-by-logs");
    await call("runs.cancel", { runId: run.id });
    expect(await call("logs.append", { runId: run.id, lines: [{ text: "epoch 3" }] })).toMatchObject({
      appended: 1,
      runStatus: "canceled",
    });
    expect(await statusOf(run.id)).toBe("canceled");
  });

  it("ends a canceled script run whose script never reports again once the lease runs out", async () => {
    const run = await scriptRun("silent-script");
    const untouched = await scriptRun("still-running");
    await call("runs.cancel", { runId: run.id });
    const reap = () => reapExpiredLeases(server.database, server.services.runs, server.services.queue.signal);
    await reap();
    expect(await statusOf(run.id)).toBe("canceling");
    await new Promise((resolve) => setTimeout(resolve, leaseMs + 100));
    await reap();
    expect(await statusOf(run.id)).toBe("canceled");
    const events = await call<EventOut[]>("runs.events", { runId: run.id }, "query");
    expect(events.at(-1)).toMatchObject({ from: "canceling", to: "canceled", actor: "lease-reaper" });
    expect(events.at(-1)?.reason).toMatch(/script did not report back/);
    // A running script run has no lease: it is never reaped for being quiet.
    expect(await statusOf(untouched.id)).toBe("running");
  });

  it("lets a script that finishes after the cancel end canceled", async () => {
    const run = await scriptRun("finishes-anyway");
    await call("runs.cancel", { runId: run.id });
    expect((await call<RunOut>("runs.finish", { runId: run.id, status: "succeeded" })).status).toBe(
      "canceled",
    );
  });
});
