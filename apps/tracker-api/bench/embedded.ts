import { readFile } from "node:fs/promises";
import path from "node:path";
import { startApiProcess } from "./api-process.ts";
import { ingestThroughApi } from "./ingest.ts";
import { fmt, verdict } from "./stats.ts";

const IDLE_TARGET_MB = 300;

/** Resident memory of a process, in MB (Linux /proc). */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

/** The embedded API (PGlite) as a laptop runs it: memory idle on an empty data dir, and ingest. */
export async function benchEmbedded(): Promise<string[]> {
  const api = await startApiProcess(null);
  try {
    // The server process (not tsx's launcher) holds the data directory's lock file.
    const pid = Number((await readFile(path.join(api.dataDir, "pgdata.lock"), "utf8")).trim());
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const idle = await rssMb(pid);
    const rate = await ingestThroughApi(api);
    const loaded = await rssMb(pid);
    return [
      `embedded (PGlite) API idle, empty data dir: ${fmt(idle)} MB RSS (target < ${IDLE_TARGET_MB} MB): ${verdict(idle < IDLE_TARGET_MB)}`,
      `embedded ingest through the API (8 runs x batches of 1,000): ${fmt(rate)} points/s; RSS after: ${fmt(loaded)} MB`,
    ];
  } finally {
    await api.stop();
  }
}
