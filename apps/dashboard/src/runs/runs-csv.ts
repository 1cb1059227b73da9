import type { JsonValue, Run } from "@labtrack/schemas";
import { csvField } from "../csv/csv-field.ts";
import { columnValue, type DataColumn } from "./run-columns.ts";

/** The runs table's fixed columns, as a CSV names them, before the chosen config and summary ones. */
const FIXED_HEADERS = ["id", "status", "name", "group", "tags", "runner", "duration_s", "created_at"];

/**
 * A config or summary value as a CSV cell: numbers in full (`String`, which reads back to the same
 * double), NaN and infinities as `NaN`, `Infinity`, `-Infinity` (pandas and spreadsheets read
 * them), strings as they are, arrays and objects as JSON, nothing for a missing value or null.
 */
export function csvValue(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return String(value);
  if (typeof value === "string" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function durationSeconds(run: Run, now: number): string {
  if (!run.startedAt) return "";
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return String(Math.max(0, end - Date.parse(run.startedAt)) / 1000);
}

export function runsCsvHeader(columns: readonly DataColumn[]): string {
  return `${[...FIXED_HEADERS, ...columns.map((c) => c.id)].map(csvField).join(",")}\r\n`;
}

/** One line per run: the fixed columns, then `columns` (named by their ids: `config.lr`, `summary.val/loss.last`). */
export function runsCsvRows(runs: readonly Run[], columns: readonly DataColumn[], now = Date.now()): string {
  let text = "";
  for (const run of runs) {
    const fields = [
      run.id,
      run.status,
      run.name,
      run.group ?? "",
      run.tags.join("|"),
      run.runner ?? "",
      durationSeconds(run, now),
      run.createdAt,
      ...columns.map((column) => csvValue(columnValue(run, column))),
    ];
    text += `${fields.map(csvField).join(",")}\r\n`;
  }
  return text;
}

/** `<project>-runs-<yyyy-mm-dd>.csv`, with anything a file name should not hold replaced by `_`. */
export function runsCsvFileName(project: string, now = new Date()): string {
  const safe = project.replace(/[^\w.-]+/g, "_").replace(/^\.+/, "_");
  return `${safe || "project"}-runs-${now.toISOString().slice(0, 10)}.csv`;
}
