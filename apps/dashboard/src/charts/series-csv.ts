import { smoothEma } from "@labtrack/core";
import { csvField } from "../csv/csv-field.ts";
import type { SeriesData } from "./series-data.ts";

/** A value in full (`String` reads back to the same double); NaN and infinities by name, as pandas reads them. */
function csvNumber(value: number): string {
  return Number.isNaN(value) ? "NaN" : String(value);
}

export interface SeriesCsvOptions {
  /** Run id -> name. */
  runNames: ReadonlyMap<string, string>;
  /** EMA weight of the chart; a `smoothed` column is added when it is above 0. */
  smoothing: number;
  /** Run id -> group label, when the chart draws groups: adds a `group` column. */
  groupOf?: ReadonlyMap<string, string> | null;
}

export function seriesCsvHeader(opts: SeriesCsvOptions): string {
  const fields = ["run_name", "run_id"];
  if (opts.groupOf) fields.push("group");
  fields.push("step", "epoch", "wall_time", "value");
  if (opts.smoothing > 0) fields.push("smoothed");
  return `${fields.join(",")}\r\n`;
}

/**
 * One line per point of each series, in the run order given and step order: the run's name and
 * id, step, epoch, wall time (ISO 8601), value and, when smoothing is on, the debiased EMA of the
 * values exported (as the chart smooths them, from the first point exported on).
 */
export function seriesCsvRows(seriesList: readonly SeriesData[], opts: SeriesCsvOptions): string {
  const parts: string[] = [];
  for (const series of seriesList) {
    const prefix = [
      csvField(opts.runNames.get(series.runId) ?? series.runId),
      series.runId,
      ...(opts.groupOf ? [csvField(opts.groupOf.get(series.runId) ?? "")] : []),
    ].join(",");
    const smoothed = opts.smoothing > 0 ? smoothEma(series.values, opts.smoothing) : null;
    for (let i = 0; i < series.steps.length; i++) {
      const time = series.times[i];
      const fields = [
        prefix,
        String(series.steps[i]),
        series.epochs[i] === null || series.epochs[i] === undefined ? "" : String(series.epochs[i]),
        time === undefined ? "" : new Date(time).toISOString(),
        csvNumber(series.values[i] ?? Number.NaN),
      ];
      if (smoothed) fields.push(csvNumber(smoothed[i] ?? Number.NaN));
      parts.push(`${fields.join(",")}\r\n`);
    }
  }
  return parts.join("");
}

/** `<metric>[-steps-<from>-<to>].csv`, with what a file name should not hold replaced by `_`. */
export function seriesCsvFileName(metric: string, steps: { min: number; max: number } | null): string {
  const safe = metric.replace(/[^\w.-]+/g, "_").replace(/^\.+/, "_") || "metric";
  return `${safe}${steps ? `-steps-${steps.min}-${steps.max}` : ""}.csv`;
}
