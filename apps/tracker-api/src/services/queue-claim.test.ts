import type { RunnersRegisterInput } from "@labtrack/schemas";
import { runnersRegisterInput } from "@labtrack/schemas";
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
});
