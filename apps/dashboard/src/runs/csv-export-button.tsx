import { useRef, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { saveCsv } from "../csv/save-csv.ts";
import type { DataColumn } from "./run-columns.ts";
import { runsCsvFileName, runsCsvHeader, runsCsvRows } from "./runs-csv.ts";
import { readAllRunsPages } from "./runs-pages.ts";
import type { RunsQuery } from "./use-runs-list.ts";

/** The most runs.list returns in one page. */
const EXPORT_PAGE_SIZE = 1000;

/**
 * Downloads the runs matching the filter, in the table's sort, with the table's columns: every
 * page of runs.list, not only the rows loaded so far.
 */
export function CsvExportButton({ query, columns }: { query: RunsQuery; columns: readonly DataColumn[] }) {
  const { client } = useApi();
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  const exportCsv = async () => {
    const controller = new AbortController();
    abort.current = controller;
    setError(null);
    setProgress({ done: 0, total: 0 });
    try {
      const parts = [runsCsvHeader(columns)];
      let done = 0;
      const now = Date.now();
      await readAllRunsPages(
        (cursor) =>
          client.runs.list.query(
            {
              project: query.project,
              filter: query.filter || undefined,
              sort: query.sort,
              limit: EXPORT_PAGE_SIZE,
              cursor,
            },
            { signal: controller.signal },
          ),
        (page) => {
          parts.push(runsCsvRows(page.runs, columns, now));
          done += page.runs.length;
          setProgress({ done, total: page.total });
        },
      );
      saveCsv(parts, runsCsvFileName(query.project));
    } catch (caught) {
      if (!controller.signal.aborted) setError(`CSV export failed: ${errorMessage(caught)}`);
    } finally {
      setProgress(null);
      abort.current = null;
    }
  };

  return (
    <>
      {progress ? (
        <button type="button" className="btn" onClick={() => abort.current?.abort()} title="Stop the export">
          Exporting{" "}
          {progress.total
            ? `${progress.done.toLocaleString("en-US")} / ${progress.total.toLocaleString("en-US")}`
            : "…"}
        </button>
      ) : (
        <button
          type="button"
          className="btn"
          onClick={() => void exportCsv()}
          title="Download the runs matching the filter, with the columns shown, as CSV"
        >
          Export CSV
        </button>
      )}
      {error && (
        <span className="field-error small" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
