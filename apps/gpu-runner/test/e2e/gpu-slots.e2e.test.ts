import { fileURLToPath } from "node:url";
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

const FAKE_NVIDIA_SMI = fileURLToPath(new URL("./fake-nvidia-smi.sh", import.meta.url));

type RunnerRow = {
  name: string;
  online: boolean;
  gpus: { index: number; name: string; memoryMb: number; utilizationPercent: number | null }[];
  slots: { index: number; gpuIndices: number[]; run: { id: string } | null }[];
};

describe.each(DB_KINDS)("a runner with two GPUs on %s", (kind) => {
  let server: TestServer;
  let runner: RunnerProcess;

  beforeAll(async () => {
    server = await startFastServer(kind);
    runner = spawnRunner(server.url, await runnerToken(server), `gpu-host-${kind}`, {
      LABTRACK_NVIDIA_SMI: FAKE_NVIDIA_SMI,
      LABTRACK_RUNNER_QUEUES: "gpu",
    });
  }, 60_000);
  afterAll(async () => {
    await stopRunner(runner, "SIGKILL");
    await server.close();
  }, 60_000);

  it("runs one run per GPU slot with its own CUDA_VISIBLE_DEVICES and reports GPU system metrics", async () => {
    const client = api(server);
    const spec = { kind: "command" as const, command: 'echo "cuda=$CUDA_VISIBLE_DEVICES"; sleep 2' };
    const runs = [
      await client.enqueue({ queue: "gpu", spec, requirements: { gpus: 1, minGpuMemoryMb: 20_000 } }),
      await client.enqueue({ queue: "gpu", spec, requirements: { gpus: 1 } }),
    ];
    const listed = await waitFor("both slots busy", async () => {
      const rows = dataOf<RunnerRow[]>(await client.call("runners.list", {}, "query"));
      const row = rows.find((r) => r.name === runner.name);
      return row?.slots.every((s) => s.run !== null) && row;
    });
    expect(listed.gpus).toEqual([
      expect.objectContaining({ index: 0, name: "NVIDIA A10", memoryMb: 23028, utilizationPercent: 63 }),
      expect.objectContaining({ index: 1, utilizationPercent: 7 }),
    ]);
    expect(listed.slots.map((s) => s.gpuIndices)).toEqual([[0], [1]]);
    for (const run of runs) {
      await waitFor(
        "the run to succeed",
        async () => (await client.run(run.id)).status === "succeeded",
        30_000,
      );
    }
    const devices = await Promise.all(
      runs.map(async (run) => (await client.logs(run.id)).find((l) => l.text.startsWith("cuda="))?.text),
    );
    expect(devices.sort()).toEqual(["cuda=0", "cuda=1"]);
    const keys = dataOf<{ key: string }[]>(
      await client.call("metrics.keys", { runIds: [runs[0]!.id] }, "query"),
    );
    expect(keys.map((k) => k.key)).toEqual(["sys/gpu0/mem_used", "sys/gpu0/util"]);
  }, 60_000);
});
