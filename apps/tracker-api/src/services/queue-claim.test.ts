import type { RunnersRegisterInput } from "@labtrack/schemas";
import { runnersRegisterInput } from "@labtrack/schemas";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS, startTestServer, type TestServer } from "../test-support/test-server.ts";

const command = { kind: "command", command: "true", env: {} } as const;

describe.each(DB_KINDS)("claiming queued runs on %s", (kind) => {
  let server: TestServer;
  const enqueue = (queue: string, extra: Record<string, unknown> = {}) =>
    server.services.queue.enqueue(
      {
        project: "claims",
        tags: [],
        config: {},
        spec: command,
        queue,
        priority: 0,
        requirements: { gpus: 0, labels: [] },
        maxAttempts: 3,
        ...extra,
      },
      "test",
    );
  const register = async (name: string, input: Partial<RunnersRegisterInput> & { gpus?: number[] }) => {
    const gpus = (input.gpus ?? []).map((memoryMb, index) => ({ index, name: "NVIDIA A10", memoryMb }));
    const parsed = runnersRegisterInput.parse({
      name,
      queues: input.queues,
      capabilities: { hostname: "h", gpus, backends: ["cpu", "wasm"], cpus: 2, memoryMb: 4096, labels: [] },
      slots:
        gpus.length > 0
          ? gpus.map((g) => ({ index: g.index, gpuIndices: [g.index] }))
          : [{ index: 0, gpuIndices: [] }],
      ...(input.capabilities ? { capabilities: input.capabilities } : {}),
    });
    return (await server.services.runners.register(parsed, { tokenId: null, scope: "admin" })).runnerId;
  };
  const claim = (runnerId: string, slot = 0, waitMs = 0) =>
    server.services.runners.claim({ runnerId, slot, waitMs });
  const statusOf = async (runId: string) => (await server.services.runs.get(runId)).status;

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it("hands out the highest priority first, then the oldest, each run once", async () => {
    const low = await enqueue("fifo");
    const high = await enqueue("fifo", { priority: 9 });
    const later = await enqueue("fifo");
    const runner = await register("fifo-runner", { queues: ["fifo"] });
    const order = [await claim(runner), await claim(runner), await claim(runner), await claim(runner)];
    expect(order.map((r) => r?.id ?? null)).toEqual([high.id, low.id, later.id, null]);
    expect(order[0]).toMatchObject({ status: "running", runner: "fifo-runner" });
    // The project's numeric id travels with the claim: the runner sets MLFLOW_EXPERIMENT_ID from it.
    expect(order[0]?.projectId).toBe(await server.services.projects.findId("claims"));
  });

  it("only gives a slot runs whose GPU count, GPU memory, backend and labels it meets", async () => {
    const needsTwo = await enqueue("req", { requirements: { gpus: 2, labels: [] } });
    const needsBig = await enqueue("req", { requirements: { gpus: 1, minGpuMemoryMb: 40_000, labels: [] } });
    const needsNode = await enqueue("req", { requirements: { gpus: 0, backend: "tfjs-node", labels: [] } });
    const needsLabel = await enqueue("req", { requirements: { gpus: 0, labels: ["a100"] } });
    const fits = await enqueue("req", { requirements: { gpus: 1, minGpuMemoryMb: 20_000, labels: [] } });
    const cpuRunner = await register("req-cpu", { queues: ["req"] });
    expect(await claim(cpuRunner)).toBeNull();
    const gpuRunner = await register("req-gpu", { queues: ["req"], gpus: [24_000] });
    expect((await claim(gpuRunner))?.id).toBe(fits.id);
    expect(await claim(gpuRunner)).toBeNull();
    const labelled = await register("req-labelled", {
      queues: ["req"],
      capabilities: {
        hostname: "h",
        gpus: [],
        backends: ["tfjs-node", "cpu"],
        cpus: 2,
        memoryMb: 1,
        labels: ["a100"],
      },
    });
    const got = [await claim(labelled), await claim(labelled), await claim(labelled)].map(
      (r) => r?.id ?? null,
    );
    expect(got).toEqual([needsNode.id, needsLabel.id, null]);
    expect([needsTwo.id, needsBig.id]).toHaveLength(2);
  });

  it("ignores queues the runner does not listen to", async () => {
    await enqueue("other-queue");
    const runner = await register("q-runner", { queues: ["elsewhere"] });
    expect(await claim(runner)).toBeNull();
  });

  it("wakes a waiting claim as soon as a run is queued", async () => {
    const runner = await register("waiter", { queues: ["wake"] });
    const started = Date.now();
    const pending = claim(runner, 0, 5_000);
    setTimeout(() => void enqueue("wake"), 100);
    const run = await pending;
    expect(run?.status).toBe("running");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("never hands one run to two of many concurrent claimers", async () => {
    const runs = await Promise.all(Array.from({ length: 40 }, () => enqueue("race")));
    const runners = await Promise.all(
      Array.from({ length: 8 }, (_, i) => register(`racer-${i}`, { queues: ["race"] })),
    );
    const claimed: string[] = [];
    await Promise.all(
      runners.map(async (runner) => {
        for (;;) {
          const run = await claim(runner);
          if (!run) return;
          claimed.push(run.id);
        }
      }),
    );
    expect(claimed).toHaveLength(runs.length);
    expect(new Set(claimed).size).toBe(runs.length);
  });

  // A claim reads the runner's registration once; the claim statement checks it still exists and
  // is not stopped, and says what answering the run needs (summaries, sweep).
  it("answers NOT_FOUND, and takes no run, for a registration replaced since its last claim", async () => {
    const first = await enqueue("replaced");
    const old = await register("replaced-runner", { queues: ["replaced"] });
    expect((await claim(old))?.id).toBe(first.id);
    const waiting = await enqueue("replaced");
    const renewed = await register("replaced-runner", { queues: ["replaced"] });
    await expect(claim(old)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await statusOf(waiting.id)).toBe("queued");
    // Registering again handed the first run back to the queue (attempt 2), ahead of the waiting one.
    const next = [await claim(renewed), await claim(renewed)].map((r) => r?.id);
    expect(next).toEqual([first.id, waiting.id]);
  });

  it("gives no run to a runner stopped elsewhere since its last claim", async () => {
    const first = await enqueue("stopped");
    const runner = await register("stopped-runner", { queues: ["stopped"] });
    expect((await claim(runner))?.id).toBe(first.id);
    const waiting = await enqueue("stopped");
    // As another API process stops it: this process's services are not told.
    await server.database.query(sql`UPDATE runners SET stopped_at = now() WHERE id = ${runner}::uuid`);
    expect(await claim(runner)).toBeNull();
    expect(await statusOf(waiting.id)).toBe("queued");
  });

  it("answers a claimed run with its metric summaries and its sweep", async () => {
    const runner = await register("summary-runner", { queues: ["summaries"] });
    const plain = await enqueue("summaries");
    expect(await claim(runner)).toMatchObject({ id: plain.id, summary: {}, sweep: null });

    const resumed = await enqueue("summaries");
    const sweepId = "00000000-0000-4000-8000-00000000abcd";
    await server.database.query(sql`
      INSERT INTO sweeps (id, project_id, name, method, status, config, created_by)
      VALUES (${sweepId}::uuid, (SELECT id FROM projects WHERE slug = 'claims'), 'lr-search', 'random',
        'paused', '{}', 'test')`);
    await server.database.query(
      sql`UPDATE runs SET sweep_id = ${sweepId}::uuid WHERE id = ${resumed.id}::uuid`,
    );
    // What an earlier attempt logged before the run was queued again.
    await server.database.query(sql`
      INSERT INTO metric_summaries (run_id, key, first_step, last, last_step, min, min_step, max, max_step, count)
      VALUES (${resumed.id}::uuid, 'loss', 0, 0.5, 4, 0.5, 4, 0.9, 0, 5)`);
    const claimed = await claim(runner);
    expect(claimed?.id).toBe(resumed.id);
    expect(claimed?.summary.loss).toMatchObject({ last: 0.5, lastStep: 4, min: 0.5, max: 0.9, count: 5 });
    expect(claimed?.sweep).toEqual({ id: sweepId, name: "lr-search" });
  });
});
