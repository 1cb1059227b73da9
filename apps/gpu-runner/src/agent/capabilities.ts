import { execFile } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { RunnerCapabilities, RunnerSlot, TfjsBackend } from "@labtrack/schemas";
import { tfjsBackend } from "@labtrack/schemas";
import type { RunnerConfig } from "../env.ts";
import { type GpuReading, queryGpus } from "./nvidia-smi.ts";

const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));

/** The module each backend needs; wasm and cpu ship with the runner and always load. */
const NATIVE_BACKENDS: Partial<Record<TfjsBackend, string>> = {
  "tfjs-node-gpu": "@tensorflow/tfjs-node-gpu",
  "tfjs-node": "@tensorflow/tfjs-node",
};

/**
 * Loads a native tfjs package in a throwaway process: a failed native install (no binary, no
 * CUDA) can crash the process that tries, and the runner must not be that process.
 */
function canLoad(moduleName: string, timeoutMs = 60_000): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", `await import(${JSON.stringify(moduleName)});`],
      { cwd: PACKAGE_DIR, timeout: timeoutMs },
      (error) => resolve(!error),
    );
  });
}

/** The tfjs backends this host can run, fastest first. */
export async function probeBackends(): Promise<TfjsBackend[]> {
  const found: TfjsBackend[] = [];
  for (const backend of tfjsBackend.options) {
    const moduleName = NATIVE_BACKENDS[backend];
    if (moduleName === undefined || (await canLoad(moduleName))) found.push(backend);
  }
  return found;
}

/** GPU slots (one per `gpusPerSlot` GPUs) when the runner has GPUs, else `cpuSlots` CPU slots. */
export function planSlots(
  gpus: readonly GpuReading[],
  config: Pick<RunnerConfig, "gpusPerSlot" | "cpuSlots">,
): RunnerSlot[] {
  if (gpus.length === 0)
    return Array.from({ length: config.cpuSlots }, (_, index) => ({ index, gpuIndices: [] }));
  const slots: RunnerSlot[] = [];
  for (let start = 0; start + config.gpusPerSlot <= gpus.length; start += config.gpusPerSlot) {
    slots.push({
      index: slots.length,
      gpuIndices: gpus.slice(start, start + config.gpusPerSlot).map((g) => g.index),
    });
  }
  return slots;
}

export function selectGpus(readings: readonly GpuReading[], wanted: RunnerConfig["gpus"]): GpuReading[] {
  if (wanted === "none") return [];
  if (wanted === "all") return [...readings];
  return readings.filter((g) => wanted.includes(g.index));
}

export interface HostInventory {
  capabilities: RunnerCapabilities;
  slots: RunnerSlot[];
}

export async function collectCapabilities(config: RunnerConfig, version: string): Promise<HostInventory> {
  const gpus = selectGpus(await queryGpus(config.nvidiaSmi), config.gpus);
  const backends = config.backends ?? (await probeBackends());
  return {
    capabilities: {
      hostname: os.hostname(),
      gpus: gpus.map((g) => ({ index: g.index, name: g.name, memoryMb: g.memoryMb, uuid: g.uuid })),
      backends,
      cpus: os.availableParallelism(),
      memoryMb: Math.round(os.totalmem() / 2 ** 20),
      labels: config.labels,
      version,
    },
    slots: planSlots(gpus, config),
  };
}
