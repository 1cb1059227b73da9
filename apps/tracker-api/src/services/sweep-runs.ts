import type { MetricCurve, SweepParams, SweepTrial } from "@labtrack/core";
import type { JsonValue, RunStatus, SweepConfig, SweepProgress, SweepRunEntry } from "@labtrack/schemas";
import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { textArrayLiteral } from "../db/pg-array.ts";

/** The key/value tags a sweep puts on its runs: which sweep, and (once pruned) the step it was stopped at. */
export const SWEEP_TAG = "labtrack.sweep";
export const PRUNED_TAG = "labtrack.sweep.pruned_at_step";

export interface SweepRun {
  id: string;
  name: string;
  status: RunStatus;
  index: number;
  params: SweepParams;
  /** The step early termination stopped it at; null when it was not pruned. */
  prunedAtStep: number | null;
  goal: number | null;
  finishedAt: Date | null;
}

interface Row extends Record<string, unknown> {
  id: string;
  name: string;
  status: string;
  sweep_index: number;
  config: Record<string, JsonValue>;
  pruned: string | null;
  finished_at: string | Date | null;
  goal: number | string | null;
}

/** Every run of the sweep, by sample index, with its parameters and its result for the sweep's goal. */
export async function loadSweepRuns(
  database: Database,
  sweepId: string,
  config: SweepConfig,
): Promise<SweepRun[]> {
  const column = sql.raw(
    config.metric.summary === "last" ? "s.last" : config.metric.summary === "min" ? "s.min" : "s.max",
  );
  const rows = await database.query<Row>(sql`
    SELECT r.id::text AS id, r.name, r.status, r.sweep_index, r.config,
      r.kv_tags->>${PRUNED_TAG} AS pruned, r.finished_at, ${column} AS goal
    FROM runs r LEFT JOIN metric_summaries s ON s.run_id = r.id AND s.key = ${config.metric.name}
    WHERE r.sweep_id = ${sweepId}
    ORDER BY r.sweep_index`);
  const names = Object.keys(config.parameters);
  return rows.map((r) => {
    const goal = r.goal === null ? null : Number(r.goal);
    return {
      id: r.id,
      name: r.name,
      status: r.status as RunStatus,
      index: Number(r.sweep_index),
      params: Object.fromEntries(
        names.filter((n) => r.config[n] !== undefined).map((n) => [n, r.config[n] as JsonValue]),
      ),
      prunedAtStep: r.pruned === null ? null : Number(r.pruned),
      goal: goal === null || Number.isNaN(goal) ? null : goal,
      finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
    };
  });
}

/** The sweep metric's points of these runs, by run id. */
export async function loadCurves(
  database: Database,
  runIds: string[],
  key: string,
): Promise<Map<string, MetricCurve>> {
  const curves = new Map<string, MetricCurve>(runIds.map((id) => [id, []]));
  if (runIds.length === 0) return curves;
  const rows = await database.query<{ run_id: string; step: number | string; value: number | string }>(sql`
    SELECT run_id::text AS run_id, step, value FROM metric_points
    WHERE run_id = ANY(${textArrayLiteral(runIds)}::uuid[]) AND key = ${key}
    ORDER BY run_id, step`);
  for (const r of rows) curves.get(r.run_id)?.push({ step: Number(r.step), value: Number(r.value) });
  return curves;
}

export const isActive = (status: RunStatus) =>
  status === "queued" || status === "running" || status === "canceling" || status === "lost";

/** What TPE learns from: succeeded runs with a goal, and pruned runs with how far they got. */
export function sweepTrials(runs: SweepRun[], curves: Map<string, MetricCurve>): SweepTrial[] {
  const trials: SweepTrial[] = [];
  for (const run of runs) {
    if (run.status === "succeeded" && run.goal !== null) {
      trials.push({ index: run.index, params: run.params, state: "complete", value: run.goal });
    } else if (run.prunedAtStep !== null) {
      const last = curves.get(run.id)?.at(-1);
      trials.push({
        index: run.index,
        params: run.params,
        state: "pruned",
        step: last?.step ?? null,
        value: last?.value ?? null,
      });
    }
  }
  return trials;
}

export function sweepProgress(runs: SweepRun[], budget: number): SweepProgress {
  const count = (f: (r: SweepRun) => boolean) => runs.filter(f).length;
  return {
    queued: count((r) => r.status === "queued"),
    running: count((r) => r.status === "running" || r.status === "canceling" || r.status === "lost"),
    finished: count((r) => r.status === "succeeded"),
    failed: count((r) => r.status === "failed"),
    pruned: count((r) => r.status === "canceled" && r.prunedAtStep !== null),
    canceled: count((r) => r.status === "canceled" && r.prunedAtStep === null),
    budget,
  };
}

export function sweepRunEntry(run: SweepRun): SweepRunEntry {
  return {
    runId: run.id,
    name: run.name,
    status: run.status,
    index: run.index,
    params: run.params,
    goal: run.goal,
    pruned: run.prunedAtStep !== null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}
