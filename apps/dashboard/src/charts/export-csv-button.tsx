import { MAX_SERIES_RUNS, type MetricSeries } from "@labtrack/schemas";
import { useRef, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { saveCsv } from "../csv/save-csv.ts";
import { seriesCsvFileName, seriesCsvHeader, seriesCsvRows } from "./series-csv.ts";
import { fromWireSeries, type SeriesData } from "./series-data.ts";
import { exportExtent, fetchFullSeries, MAX_EXPORT_POINTS } from "./series-export.ts";
import type { XWindow } from "./zoom-window.ts";

export interface ExportCsvButtonProps {
  metric: string;
  /** The curves the chart shows (hidden runs left out), downsampled: what to export, and how much. */
  overview: readonly SeriesData[];
  runNames: ReadonlyMap<string, string>;
  smoothing: number;
  /** The zoomed steps, or null for every step. */
  steps: XWindow | null;
  /** Group label -> run ids when the chart draws groups. */
  groups?: ReadonlyMap<string, readonly string[]> | null;
}

/**
 * Downloads the chart's series as CSV: every point of the zoomed window (or of the whole curves),
 * read again from the server at full resolution, not the downsampled points drawn.
 */
export function ExportCsvButton({
  metric,
  overview,
  runNames,
  smoothing,
  steps,
  groups,
}: ExportCsvButtonProps) {
  const { client } = useApi();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const extent = exportExtent(overview, steps);
  const tooMany = extent !== null && extent.points > MAX_EXPORT_POINTS;
  // Compare loads the runs (their names) just after its first chart: a file is not written with ids for names.
  const namesPending = overview.some((s) => !runNames.has(s.runId));

  const exportCsv = async () => {
    if (!extent) return;
    const controller = new AbortController();
    abort.current = controller;
    setError(null);
    setProgress(0);
    try {
      const runIds = overview.map((s) => s.runId).slice(0, MAX_SERIES_RUNS);
      const full = await fetchFullSeries(
        async (request) => {
          const answer = await client.metrics.series.query(
            { ...request, keys: [metric] },
            { signal: controller.signal },
          );
          return answer.map((s: MetricSeries) => fromWireSeries(s));
        },
        runIds,
        extent,
        setProgress,
      );
      const groupOf = groups
        ? new Map([...groups].flatMap(([label, ids]) => ids.map((id): [string, string] => [id, label])))
        : null;
      const opts = { runNames, smoothing, groupOf };
      saveCsv([seriesCsvHeader(opts), seriesCsvRows(full, opts)], seriesCsvFileName(metric, steps));
    } catch (caught) {
      if (!controller.signal.aborted) setError(`CSV export failed: ${errorMessage(caught)}`);
    } finally {
      setProgress(null);
      abort.current = null;
    }
  };

  if (progress !== null) {
    return (
      <button
        type="button"
        className="btn btn-small"
        onClick={() => abort.current?.abort()}
        title="Stop the export"
      >
        Exporting {Math.round(progress * 100)} %
      </button>
    );
  }
  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        disabled={!extent || tooMany || namesPending}
        onClick={() => void exportCsv()}
        aria-label={`Download ${metric} as CSV`}
        title={
          namesPending
            ? "Waiting for the runs' names"
            : tooMany
              ? `About ${extent.points.toLocaleString("en-US")} points: zoom in to export at most ${MAX_EXPORT_POINTS.toLocaleString("en-US")}`
              : `Every point of the curves shown${steps ? " in the zoomed window" : ""}, as CSV (run, step, value${smoothing > 0 ? ", smoothed" : ""})`
        }
      >
        CSV
      </button>
      {error && (
        <span className="field-error small" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
