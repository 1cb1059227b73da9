// biome-ignore-all lint/suspicious/noTemplateCurlyInString: sweep placeholders are literal ${name} strings
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";
import { createSweepController } from "./sweep-controller.ts";

type SweepOut = {
  id: string;
  status: string;
  progress: Record<string, number>;
  runs: { runId: string; status: string; index: number; params: Record<string, unknown>; pruned: boolean }[];
};

describe.each(DB_KINDS)("sweep controller on %s", (kind) => {
  let server: TestServer;
  const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);
  const get = async (sweepId: string) => dataOf<SweepOut>(await call("sweeps.get", { sweepId }, "query"));
  const create = async (project: string, config: Record<string, unknown>) =>
    dataOf<SweepOut>(await call("sweeps.create", { project, config }));
  /** Plays a runner: the run starts, reports its metric curve, and ends. */
  const play = async (
    runId: string,
    curve: number[],
    end: "succeeded" | "failed" | "keep running" = "succeeded",
  ) => {
    const s = server.services;
    if ((await s.runs.get(runId)).status === "queued") {
      await s.runs.transition(runId, "running", { actor: "test", changes: { startedAt: new Date() } });
    }
    if (curve.length > 0)
      await s.metrics.log(
        runId,
        curve.map((value, i) => ({ key: "loss", step: i + 1, value })),
      );
    if (end !== "keep running") await s.runs.finish({ runId, status: end }, "test");
  };
  const command = {
    kind: "command",
    command: ["python3", "train.py", "--lr", "${lr}"],
    env: { BS: "${batch_size}" },
  };

  beforeAll(async () => {
    // The test steps the controller itself.
    server = await startTestServer(kind, { sweepIntervalMs: 3_600_000 });
  });
  afterAll(() => server.close());

  it("runs a 2x3 grid to exactly 6 runs with the right parameters, group and spec, then finishes", async () => {
    const sweep = await create("grid", {
      name: "grid-a",
      method: "grid",
      metric: { name: "loss", goal: "minimize" },
      parameters: { lr: { values: [0.1, 0.01, 0.001] }, batch_size: { values: [16, 32] } },
      concurrency: 2,
      spec: command,
    });
    expect(sweep.runs.map((r) => r.status)).toEqual(["queued", "queued"]);
    for (let round = 0; round < 10; round++) {
      const current = await get(sweep.id);
      for (const r of current.runs.filter((x) => x.status === "queued")) await play(r.runId, [1, 0.5]);
      await server.services.sweepController.step(sweep.id);
    }
    const done = await get(sweep.id);
    expect(done.status).toBe("finished");
    expect(done.runs).toHaveLength(6);
    expect(done.runs.map((r) => r.params)).toEqual([
      { batch_size: 16, lr: 0.1 },
      { batch_size: 16, lr: 0.01 },
      { batch_size: 16, lr: 0.001 },
      { batch_size: 32, lr: 0.1 },
      { batch_size: 32, lr: 0.01 },
      { batch_size: 32, lr: 0.001 },
    ]);
    const run = await server.services.runs.get(done.runs[4]?.runId ?? "");
    expect(run.group).toBe("grid-a");
    expect(run.keyValueTags["labtrack.sweep"]).toBe(sweep.id);
    expect(run.config).toMatchObject({ lr: 0.01, batch_size: 32 });
    expect(run.spec).toMatchObject({ command: ["python3", "train.py", "--lr", "0.01"], env: { BS: "32" } });
    expect(done.progress).toMatchObject({ finished: 6, queued: 0, running: 0, budget: 6 });
  });

  it("keeps at most `concurrency` runs active and stops at run_cap", async () => {
    const sweep = await create("rand", {
      name: "rand-a",
      method: "random",
      metric: { name: "loss" },
      parameters: {
        lr: { min: 0.0001, max: 0.1, distribution: "log_uniform_values" },
        batch_size: { values: [8, 16] },
      },
      run_cap: 8,
      concurrency: 2,
      seed: 5,
      spec: command,
    });
    let maxActive = 0;
    for (let round = 0; round < 12; round++) {
      const current = await get(sweep.id);
      maxActive = Math.max(maxActive, (current.progress.queued ?? 0) + (current.progress.running ?? 0));
      const queued = current.runs.find((x) => x.status === "queued");
      if (queued) await play(queued.runId, [Math.random()]);
      await server.services.sweepController.step(sweep.id);
      const after = await get(sweep.id);
      expect((after.progress.queued ?? 0) + (after.progress.running ?? 0)).toBeLessThanOrEqual(2);
    }
    const done = await get(sweep.id);
    expect(done.runs).toHaveLength(8);
    expect(done.status).toBe("finished");
    expect(new Set(done.runs.map((r) => JSON.stringify(r.params))).size).toBe(8);
    expect(maxActive).toBeLessThanOrEqual(2);
  });

  it("prunes by ASHA the runs below the top 1/eta at a rung, with the reason in their timeline", async () => {
    const sweep = await create("asha", {
      name: "asha-a",
      method: "random",
      metric: { name: "loss", goal: "minimize" },
      parameters: { lr: { min: 0.001, max: 0.1 } },
      early_terminate: { type: "hyperband", min_iter: 2, eta: 3 },
      run_cap: 3,
      concurrency: 3,
      spec: command,
    });
    const [good, mid, bad] = sweep.runs.map((r) => r.runId) as [string, string, string];
    await play(good, [1, 0.2], "keep running");
    await play(mid, [1, 0.6], "keep running");
    await play(bad, [1, 0.9], "keep running");
    expect(await server.services.sweepController.step(sweep.id)).toMatchObject({ pruned: 2, queued: 0 });
    expect((await server.services.runs.get(good)).status).toBe("running");
    const badRun = await server.services.runs.get(bad);
    expect(badRun.status).toBe("canceling");
    const events = await server.services.runs.events(bad);
    expect(events.at(-1)?.reason).toBe("pruned at step 2");
    // The runner stops it; it ends canceled and counts as pruned.
    await server.services.runs.finish({ runId: bad, status: "failed", error: "stopped" }, "test");
    await server.services.runs.finish({ runId: mid, status: "failed", error: "stopped" }, "test");
    await play(good, [1, 0.2, 0.1]);
    await server.services.sweepController.step(sweep.id);
    const done = await get(sweep.id);
    expect(done.progress).toMatchObject({ pruned: 2, finished: 1 });
    expect(done.status).toBe("finished");
    expect((await server.services.runs.get(bad)).status).toBe("canceled");
  });

  it("never queues a sample twice: a second controller on the same database continues from the stored runs", async () => {
    const sweep = await create("restart", {
      name: "restart-a",
      method: "bayes",
      metric: { name: "loss" },
      parameters: { lr: { min: 0.001, max: 0.1 } },
      run_cap: 6,
      concurrency: 3,
      spec: command,
    });
    const other = createSweepController(server.database, server.services.runs, server.services.queue);
    await Promise.all([
      other.step(sweep.id),
      server.services.sweepController.step(sweep.id),
      other.step(sweep.id),
    ]);
    expect((await get(sweep.id)).runs).toHaveLength(3);
    for (let round = 0; round < 8; round++) {
      for (const r of (await get(sweep.id)).runs.filter((x) => x.status === "queued"))
        await play(r.runId, [0.5]);
      await Promise.all([other.step(sweep.id), server.services.sweepController.step(sweep.id)]);
    }
    const done = await get(sweep.id);
    expect(done.runs.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(done.status).toBe("finished");
  });

  it("pauses, resumes and cancels, canceling the sweep's queued runs", async () => {
    const sweep = await create("ctl", {
      name: "ctl-a",
      method: "grid",
      metric: { name: "loss" },
      parameters: { lr: { values: [1, 2, 3] } },
      concurrency: 1,
      spec: command,
    });
    const paused = dataOf<SweepOut>(await call("sweeps.pause", { sweepId: sweep.id }));
    expect(paused.status).toBe("paused");
    await play(sweep.runs[0]?.runId ?? "", [1]);
    await server.services.sweepController.step(sweep.id);
    expect((await get(sweep.id)).runs).toHaveLength(1);
    const resumed = dataOf<SweepOut>(await call("sweeps.resume", { sweepId: sweep.id }));
    expect(resumed.runs).toHaveLength(2);
    const canceled = dataOf<SweepOut>(await call("sweeps.cancel", { sweepId: sweep.id }));
    expect(canceled.status).toBe("canceled");
    expect(canceled.runs[1]?.status).toBe("canceled");
    expect((await call("sweeps.resume", { sweepId: sweep.id })).status).toBe(409);
    const listed = dataOf<{ id: string }[]>(await call("sweeps.list", { project: "ctl" }, "query"));
    expect(listed.map((s) => s.id)).toEqual([sweep.id]);
  });

  it("refuses a bad space naming the field, storing nothing", async () => {
    const res = await call("sweeps.create", {
      project: "bad",
      config: {
        name: "b",
        method: "grid",
        metric: { name: "loss" },
        parameters: { batch_size: { values: [] }, "model.colour": { value: 1 } },
        spec: { kind: "image-classifier", data: { path: "/d" } },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error?.data.fields?.map((f) => f.path.join("."))).toEqual([
      "config.parameters.batch_size.values",
      "config.parameters.model.colour",
    ]);
    expect(dataOf<unknown[]>(await call("sweeps.list", { project: "bad" }, "query"))).toEqual([]);
    expect(
      (await call("sweeps.get", { sweepId: "00000000-0000-4000-8000-000000000000" }, "query")).status,
    ).toBe(404);
  });
});
