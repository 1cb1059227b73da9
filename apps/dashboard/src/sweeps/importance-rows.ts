import { forestImportance, parameterImportance } from "@labtrack/core";
import { type ParamAxis, type ParamRow, paramsForCorrelation } from "./param-axes.ts";

export interface ImportanceEntry {
  key: string;
  /** Share of the goal's variance the random forest's splits on this parameter remove (0-1, summing to 1). */
  importance: number;
  /** Pearson correlation with the goal (of log10 on a log axis); null for categories or too few runs. */
  correlation: number | null;
}

/** Every parameter's importance and correlation over the rows with a goal, most important first. */
export function importanceEntries(rows: readonly ParamRow[], axes: readonly ParamAxis[]): ImportanceEntry[] {
  const data = rows.flatMap((r) =>
    r.goal === null ? [] : [{ params: paramsForCorrelation(r, axes), goal: r.goal }],
  );
  const keys = axes.map((a) => a.key);
  // 50 trees: a live sweep recomputes this on every update, on the main thread.
  const forest = forestImportance(data, keys, { seed: 1, trees: 50 });
  const correlations = new Map(
    parameterImportance(data, keys).map((p) => [
      p.name,
      axes.find((a) => a.key === p.name)?.scale === "category" ? null : p.correlation,
    ]),
  );
  return keys
    .map((key) => ({ key, importance: forest.get(key) ?? 0, correlation: correlations.get(key) ?? null }))
    .sort((a, b) => b.importance - a.importance || a.key.localeCompare(b.key));
}
