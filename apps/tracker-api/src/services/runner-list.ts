import type { GpuInfo, GpuStats, RunnerSlot, RunnerSummary, runnerCapabilities } from "@labtrack/schemas";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { runners } from "../db/schema.ts";
import type { QueueSettings } from "./runners.ts";

type Capabilities = z.output<typeof runnerCapabilities>;

/** Runners with their GPUs (last heartbeat's readings), slots and the runs in them. */
export async function listRunners(
  database: Database,
  settings: Pick<QueueSettings, "heartbeatMs">,
  includeOffline: boolean,
): Promise<RunnerSummary[]> {
  const { db } = database;
  const rows = await db.select().from(runners).orderBy(runners.name);
  const current = await database.query<{
    id: string;
    name: string;
    status: string;
    runner_id: string;
    runner_slot: number;
    project: string;
  }>(sql`
    SELECT r.id::text AS id, r.name, r.status, r.runner_id::text AS runner_id, r.runner_slot, p.slug AS project
    FROM runs r JOIN projects p ON p.id = r.project_id
    WHERE r.status IN ('running', 'canceling') AND r.runner_id IS NOT NULL`);
  const offlineAfter = Date.now() - Math.max(3 * settings.heartbeatMs, 10_000);
  const summaries = rows.map((row): RunnerSummary => {
    const caps = row.capabilities as Capabilities;
    const stats = row.gpuStats as GpuStats[];
    return {
      id: row.id,
      name: row.name,
      hostname: row.hostname,
      online: row.stoppedAt === null && row.lastSeenAt.getTime() > offlineAfter,
      lastSeenAt: row.lastSeenAt.toISOString(),
      registeredAt: row.registeredAt.toISOString(),
      queues: row.queues,
      labels: row.labels,
      backends: caps.backends,
      cpus: caps.cpus,
      memoryMb: caps.memoryMb,
      gpus: caps.gpus.map((gpu: GpuInfo) => {
        const s = stats.find((x) => x.index === gpu.index);
        return {
          ...gpu,
          utilizationPercent: s?.utilizationPercent ?? null,
          memoryUsedMb: s?.memoryUsedMb ?? null,
        };
      }),
      slots: (row.slots as RunnerSlot[]).map((slot) => {
        const run = current.find((r) => r.runner_id === row.id && Number(r.runner_slot) === slot.index);
        return {
          index: slot.index,
          gpuIndices: slot.gpuIndices,
          run: run ? { id: run.id, name: run.name, project: run.project, status: run.status } : null,
        };
      }),
    };
  });
  return includeOffline ? summaries : summaries.filter((s) => s.online);
}
