import { fromWireNumber, type Run } from "@labtrack/schemas";
import { flatConfigOf } from "../runs/run-columns.ts";
import type { ParamRow } from "../sweeps/param-axes.ts";

export type SummaryStat = "last" | "min" | "max";

/** Config keys whose values differ between the runs: the parameters worth an axis. */
export function varyingConfigKeys(runs: readonly Run[]): string[] {
  const keys = new Set(runs.flatMap((r) => Object.keys(flatConfigOf(r))));
  return [...keys]
    .filter((key) => new Set(runs.map((r) => JSON.stringify(flatConfigOf(r)[key] ?? null))).size > 1)
    .sort();
}

/** Each run's values of `keys` and its summary value of `metric` (null when it has none). */
export function paramRowsOf(
  runs: readonly Run[],
  keys: readonly string[],
  metric: string,
  stat: SummaryStat,
): ParamRow[] {
  return runs.map((run) => {
    const flat = flatConfigOf(run);
    const raw = run.summary[metric]?.[stat];
    const goal = raw === undefined || raw === null ? null : fromWireNumber(raw);
    return {
      runId: run.id,
      name: run.name,
      params: Object.fromEntries(keys.flatMap((k) => (flat[k] === undefined ? [] : [[k, flat[k]]]))),
      goal: goal !== null && Number.isFinite(goal) ? goal : null,
    };
  });
}
