import type { RunnerSlot } from "@labtrack/schemas";
import type { LabtrackTRPCClient } from "@labtrack/sdk";
import type { Logger } from "pino";
import { type GpuReading, queryGpus, toGpuStats } from "./nvidia-smi.ts";
import type { OutboxEntry } from "./outbox.ts";

export interface HeartbeatOptions {
  trpc: LabtrackTRPCClient;
  nvidiaSmi: string;
  hasGpus: boolean;
  intervalMs: () => number;
  runnerId: () => string;
  heldRuns: () => string[];
  slotOf: (runId: string) => RunnerSlot | null;
  onCancel: (runId: string) => void;
  onRelease: (runId: string) => void;
  onUnknownRunner: () => void;
  append: (entry: OutboxEntry) => void;
  log: Logger;
}

/**
 * The GPU readings of a run's slot as system metrics of the run. GPUs are numbered as the run sees
 * them (`sys/gpu0/...` is the first GPU in its CUDA_VISIBLE_DEVICES); the step is the Unix time in
 * seconds, so a retried attempt never collides with an earlier one.
 */
export function gpuMetricEntry(
  runId: string,
  slot: RunnerSlot,
  readings: readonly GpuReading[],
  now: number,
) {
  const points = slot.gpuIndices.flatMap((gpuIndex, position) => {
    const reading = readings.find((r) => r.index === gpuIndex);
    if (!reading) return [];
    const step = Math.floor(now / 1000);
    const out = [];
    if (reading.utilizationPercent !== null)
      out.push({ key: `sys/gpu${position}/util`, step, value: reading.utilizationPercent, time: now });
    if (reading.memoryUsedMb !== null)
      out.push({ key: `sys/gpu${position}/mem_used`, step, value: reading.memoryUsedMb, time: now });
    return out;
  });
  return points.length > 0 ? ({ t: "metrics", runId, points } as const) : null;
}

/** Heartbeats every interval: extends the leases of held runs, samples GPUs, hears about cancels. */
export function startHeartbeats(opts: HeartbeatOptions): { stop: () => void; beat: () => Promise<void> } {
  let inFlight = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function beat(): Promise<void> {
    if (inFlight) return;
    inFlight = true;
    try {
      const readings = opts.hasGpus ? await queryGpus(opts.nvidiaSmi) : [];
      const runIds = opts.heldRuns();
      const now = Date.now();
      for (const runId of runIds) {
        const slot = opts.slotOf(runId);
        const entry = slot ? gpuMetricEntry(runId, slot, readings, now) : null;
        if (entry) opts.append(entry);
      }
      const answer = await opts.trpc.runners.heartbeat.mutate({
        runnerId: opts.runnerId(),
        runIds,
        gpus: readings.map(toGpuStats),
      });
      for (const runId of answer.cancel) opts.onCancel(runId);
      for (const runId of answer.release) opts.onRelease(runId);
    } catch (error) {
      const code = (error as { data?: { code?: unknown } } | null)?.data?.code;
      if (code === "NOT_FOUND") opts.onUnknownRunner();
      else
        opts.log.debug({ err: error instanceof Error ? error.message : String(error) }, "heartbeat failed");
    } finally {
      inFlight = false;
    }
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void beat().finally(schedule);
    }, opts.intervalMs());
  };
  void beat().finally(schedule);
  return {
    beat,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
