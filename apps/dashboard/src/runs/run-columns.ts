import { flattenConfig } from "@labtrack/core";
import type { JsonValue, Run } from "@labtrack/schemas";
import { formatConfigValue } from "../charts/format-number.ts";

/** A chosen data column: `config.<key>` or `summary.<metric>.<last|min|max>`. */
export type DataColumn =
  | { id: string; scope: "config"; key: string }
  | { id: string; scope: "summary"; key: string; stat: "last" | "min" | "max" };

const flatCache = new WeakMap<Run, Record<string, JsonValue>>();

/** The run's config with nested objects flattened to dotted keys, computed once per run object. */
export function flatConfigOf(run: Run): Record<string, JsonValue> {
  let flat = flatCache.get(run);
  if (!flat) {
    flat = flattenConfig(run.config);
    flatCache.set(run, flat);
  }
  return flat;
}

export function parseColumnId(id: string): DataColumn | null {
  if (id.startsWith("config.") && id.length > 7) return { id, scope: "config", key: id.slice(7) };
  const match = /^summary\.(.+)\.(last|min|max)$/.exec(id);
  if (match?.[1] && match[2]) {
    return { id, scope: "summary", key: match[1], stat: match[2] as "last" | "min" | "max" };
  }
  return null;
}

export function columnValue(run: Run, column: DataColumn): JsonValue | undefined {
  if (column.scope === "config") return flatConfigOf(run)[column.key];
  return run.summary[column.key]?.[column.stat] ?? undefined;
}

export function columnLabel(column: DataColumn): string {
  return column.scope === "config" ? column.key : `${column.key} (${column.stat})`;
}

/** Every config key and metric seen in the given runs, for the column picker. */
export function availableColumns(runs: readonly Run[]): { config: string[]; metrics: string[] } {
  const config = new Set<string>();
  const metrics = new Set<string>();
  for (const run of runs) {
    for (const key of Object.keys(flatConfigOf(run))) config.add(key);
    for (const key of Object.keys(run.summary)) metrics.add(key);
  }
  return { config: [...config].sort(), metrics: [...metrics].sort() };
}

/** Without a choice: config keys whose values differ between runs, then the last value of metrics. */
export function defaultColumnIds(runs: readonly Run[]): string[] {
  const { config, metrics } = availableColumns(runs);
  const varying = config.filter((key) => {
    const values = new Set(runs.map((run) => JSON.stringify(flatConfigOf(run)[key] ?? null)));
    return values.size > 1;
  });
  const preferred = metrics.filter((key) => /acc|loss|f1/i.test(key));
  const chosenMetrics = (preferred.length > 0 ? preferred : metrics).slice(0, 3);
  return [
    ...varying.slice(0, 4).map((key) => `config.${key}`),
    ...chosenMetrics.map((key) => `summary.${key}.last`),
  ];
}

/** The run's group under `groupBy` (`group` or `config.<key>`): its value as text, or "(none)". */
export function groupLabelOf(run: Run, groupBy: string): string {
  const raw = groupBy === "group" ? run.group : flatConfigOf(run)[groupBy.replace(/^config\./, "")];
  return raw === null || raw === undefined ? "(none)" : formatConfigValue(raw);
}

export type RunRow =
  | { kind: "run"; run: Run }
  | { kind: "group"; label: string; count: number; collapsed: boolean };

/**
 * Rows for the table: runs as they are, or grouped by `group` or a `config.<key>`, each group
 * headed by a row with its size. Groups keep the order in which their first run appears.
 */
export function groupRows(runs: readonly Run[], groupBy: string, collapsed: ReadonlySet<string>): RunRow[] {
  if (!groupBy) return runs.map((run) => ({ kind: "run", run }));
  const groups = new Map<string, Run[]>();
  for (const run of runs) {
    const label = groupLabelOf(run, groupBy);
    const members = groups.get(label);
    if (members) members.push(run);
    else groups.set(label, [run]);
  }
  const rows: RunRow[] = [];
  for (const [label, members] of groups) {
    const isCollapsed = collapsed.has(label);
    rows.push({ kind: "group", label, count: members.length, collapsed: isCollapsed });
    if (!isCollapsed) for (const run of members) rows.push({ kind: "run", run });
  }
  return rows;
}
