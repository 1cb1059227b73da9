import { execFile } from "node:child_process";
import type { GpuInfo, GpuStats } from "@labtrack/schemas";

/** The columns asked of `nvidia-smi`, in order. */
export const NVIDIA_SMI_QUERY = "index,name,uuid,memory.total,memory.used,utilization.gpu";
export const NVIDIA_SMI_ARGS = [`--query-gpu=${NVIDIA_SMI_QUERY}`, "--format=csv,noheader,nounits"];

export interface GpuReading extends GpuInfo {
  memoryUsedMb: number | null;
  utilizationPercent: number | null;
}

/** `[N/A]`, `[Not Supported]` and the like are unknown values, not errors. */
function numberOrNull(text: string): number | null {
  const value = Number(text);
  return text !== "" && !text.startsWith("[") && Number.isFinite(value) ? value : null;
}

/**
 * Parses `nvidia-smi --query-gpu=index,name,uuid,memory.total,memory.used,utilization.gpu
 * --format=csv,noheader,nounits`. Throws when the output is not that table (no driver, say).
 */
export function parseNvidiaSmiCsv(output: string): GpuReading[] {
  const lines = output.split(/\r?\n/).filter((line) => line.trim() !== "");
  return lines.map((line, i) => {
    const cells = line.split(",").map((cell) => cell.trim());
    const index = Number(cells[0]);
    if (cells.length < 6 || !Number.isInteger(index)) {
      throw new Error(`nvidia-smi line ${i + 1} is not '${NVIDIA_SMI_QUERY}': ${line.slice(0, 200)}`);
    }
    // A GPU name may itself contain commas: everything between index and the last four cells.
    const tail = cells.slice(-4);
    return {
      index,
      name: cells.slice(1, cells.length - 4).join(", "),
      uuid: tail[0]!,
      memoryMb: numberOrNull(tail[1]!) ?? 0,
      memoryUsedMb: numberOrNull(tail[2]!),
      utilizationPercent: numberOrNull(tail[3]!),
    };
  });
}

/** Runs nvidia-smi; an absent binary or driver means no GPUs, not a failure. */
export function queryGpus(binary: string, timeoutMs = 10_000): Promise<GpuReading[]> {
  return new Promise((resolve) => {
    execFile(binary, NVIDIA_SMI_ARGS, { timeout: timeoutMs }, (error, stdout) => {
      if (error) return resolve([]);
      try {
        resolve(parseNvidiaSmiCsv(stdout));
      } catch {
        resolve([]);
      }
    });
  });
}

export function toGpuStats(reading: GpuReading): GpuStats {
  return {
    index: reading.index,
    utilizationPercent: reading.utilizationPercent,
    memoryUsedMb: reading.memoryUsedMb,
    memoryMb: reading.memoryMb,
  };
}
