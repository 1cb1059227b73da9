import { readFile } from "node:fs/promises";
import os from "node:os";
import { startApiProcess } from "./api-process.ts";
import { ingestThroughApi } from "./ingest.ts";
import { fmt, verdict } from "./stats.ts";

const IDLE_TARGET_MB = 300;
/** Idle after ingest: long enough for the post-load garbage collections and WASM tier-up to settle. */
const IDLE_AFTER_LOAD_MS = 30_000;

/** Resident memory of a process, in MB (Linux /proc). */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The embedded API (PGlite) as `pnpm start` runs it (node on dist/main.js, one process): memory
 * idle on an empty data dir, ingest, and memory idle again after it.
 */
export async function benchEmbedded(): Promise<string[]> {
  const api = await startApiProcess(null);
  try {
    await sleep(10_000);
    const idle = await rssMb(api.pid);
    const rate = await ingestThroughApi(api);
    const loaded = await rssMb(api.pid);
    await sleep(IDLE_AFTER_LOAD_MS);
    const idleAfter = await rssMb(api.pid);
    const load = os.loadavg().map((l) => fmt(l, 1));
    return [
      `embedded (PGlite) API idle, empty data dir: ${fmt(idle)} MB RSS (target < ${IDLE_TARGET_MB} MB): ${verdict(idle < IDLE_TARGET_MB)}`,
      `embedded ingest through the API (8 runs x batches of 1,000): ${fmt(rate)} points/s; RSS right after: ${fmt(loaded)} MB`,
      `embedded API idle ${IDLE_AFTER_LOAD_MS / 1000} s after that ingest: ${fmt(idleAfter)} MB RSS (target < ${IDLE_TARGET_MB} MB): ${verdict(idleAfter < IDLE_TARGET_MB)}`,
      `(load average ${load.join(", ")} on ${os.cpus().length} CPUs)`,
    ];
  } finally {
    await api.stop();
  }
}
