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

/** At most this many config columns by default: past it the metrics would scroll out of view. */
const DEFAULT_CONFIG_COLUMNS = 6;
const DEFAULT_METRIC_COLUMNS = 6;
/** Validation metrics as trainers name them: `val/loss`, `val_accuracy`, `valid/f1`, `validation.loss`. */
const VALIDATION_METRIC = /^val(id|idation)?[/_.]/i;

function isScalar(value: JsonValue | undefined): boolean {
  return value === null || value === undefined || typeof value !== "object";
}

/**
 * Without a choice: the config keys whose values differ between the runs (single values before
 * arrays and objects), then the last value of each validation metric (`val/*`, `val_*`); a project
 * that logs no validation metric gets its accuracy, loss and F1 metrics instead.
 */
export function defaultColumnIds(runs: readonly Run[]): string[] {
  const { config, metrics } = availableColumns(runs);
  const varying = config.filter((key) => {
    const values = new Set(runs.map((run) => JSON.stringify(flatConfigOf(run)[key] ?? null)));
    return values.size > 1;
  });
  const scalar = (key: string) => runs.every((run) => isScalar(flatConfigOf(run)[key]));
  const orderedConfig = [...varying.filter(scalar), ...varying.filter((key) => !scalar(key))];
  const validation = metrics.filter((key) => VALIDATION_METRIC.test(key));
  const fallback = metrics.filter((key) => /acc|loss|f1/i.test(key));
  const chosenMetrics =
    validation.length > 0 ? validation : fallback.length > 0 ? fallback : metrics.slice(0, 3);
  return [
    ...orderedConfig.slice(0, DEFAULT_CONFIG_COLUMNS).map((key) => `config.${key}`),
    ...chosenMetrics.slice(0, DEFAULT_METRIC_COLUMNS).map((key) => `summary.${key}.last`),
  ];
}

/** The run's group under `groupBy` (`group` or `config.<key>`): its value as text, or "(none)". */
export function groupLabelOf(run: Run, groupBy: string): string {
  const raw = groupBy === "group" ? run.group : flatConfigOf(run)[groupBy.replace(/^config\./, "")];
  return raw === null || raw === undefined ? "(none)" : formatConfigValue(raw);
}

export type RunRow =
  | { kind: "run"; run: Run }
  | { kind: "group"; label: string; count: number; collapsed: boolean; runIds: string[] };

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
    const runIds = members.map((run) => run.id);
    rows.push({ kind: "group", label, count: members.length, collapsed: isCollapsed, runIds });
    if (!isCollapsed) for (const run of members) rows.push({ kind: "run", run });
  }
  return rows;
}
