import { useCallback, useDeferredValue, useEffect, useMemo, useState } from "react";
import { errorMessage } from "../api/error-message.ts";
import { MAX_COMPARE_RUNS } from "../compare/compare-url-state.ts";
import { EmptyState, ErrorState, SkeletonRows } from "../components/states.tsx";
import { LiveIndicator } from "../live/use-live-runs.tsx";
import { Link, navigate, useLocation } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import { rememberRunsQuery } from "../routing/runs-return.ts";
import { rememberColumns, rememberedColumns } from "../runs/column-memory.ts";
import { ColumnPicker } from "../runs/column-picker.tsx";
import { CsvExportButton } from "../runs/csv-export-button.tsx";
import { FilterBar } from "../runs/filter-bar.tsx";
import { LimitNoticeBar } from "../runs/limit-notice.tsx";
import {
  availableColumns,
  type DataColumn,
  defaultColumnIds,
  groupRows,
  parseColumnId,
} from "../runs/run-columns.ts";
import { checkState } from "../runs/run-selection.ts";
import { RunsTable, tableColumns } from "../runs/runs-table.tsx";
import { useRunSelection } from "../runs/use-run-selection.ts";
import { type RunsQuery, useRunsList } from "../runs/use-runs-list.ts";

function parseSort(text: string | null): RunsQuery["sort"] {
  const match = /^(.+):(asc|desc)$/.exec(text ?? "");
  return match?.[1] && match[2]
    ? { field: match[1], direction: match[2] as "asc" | "desc" }
    : { field: "createdAt", direction: "desc" };
}

/** The picker's keys, plus chosen ones no loaded run has (so they can still be unticked). */
function withChosen(keys: string[], chosen: readonly string[], pattern: RegExp): string[] {
  const extra = chosen.flatMap((id) => pattern.exec(id)?.[1] ?? []).filter((key) => !keys.includes(key));
  return extra.length ? [...keys, ...new Set(extra)].sort() : keys;
}

/** A project's runs: filter, sort, group, choose columns, select runs to compare, export CSV. */
export function RunsPage({ project }: { project: string }) {
  const { search } = useLocation();
  const searchText = search.toString();
  // The breadcrumbs of the run and Compare pages come back to this table as it is now.
  useEffect(() => rememberRunsQuery(project, searchText), [project, searchText]);
  const filter = search.get("filter") ?? "";
  const sortText = search.get("sort");
  const groupBy = search.get("group") ?? "";
  const colsText = search.get("cols");
  const query = useMemo<RunsQuery>(
    () => ({ project, filter, sort: parseSort(sortText) }),
    [project, filter, sortText],
  );
  const { list, runs: loadedRuns, total, live } = useRunsList(query);
  // A new page of 1000 runs re-renders in the background, so scrolling never waits for it.
  const runs = useDeferredValue(loadedRuns);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [draft, setDraft] = useState({ pending: false, invalid: false });

  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    const text = next.toString();
    navigate(`${paths.runs(project)}${text ? `?${text}` : ""}`, { replace: true });
  };

  // Column choices come from the first page: a project's runs share their keys, and scanning every
  // loaded run again on each new page would stall scrolling.
  const firstPage = list.data?.pages[0]?.runs;
  const available = useMemo(() => availableColumns(firstPage ?? []), [firstPage]);
  const pageDefaults = useMemo(() => defaultColumnIds(firstPage ?? []), [firstPage]);
  // The defaults are those of the project's runs, not of the filter's: filtering (to one backbone,
  // say) does not take that key's column away. A page opened with a filter starts from its runs.
  const [projectDefaults, setProjectDefaults] = useState<string[] | null>(null);
  useEffect(() => {
    if (!filter && firstPage) setProjectDefaults(pageDefaults);
  }, [filter, firstPage, pageDefaults]);
  const defaults = projectDefaults ?? pageDefaults;
  // The URL's columns (a shared link), else the ones last picked in this project, else the defaults.
  // (The page is keyed by project, so this is read once per project.)
  const [stored, setStored] = useState(() => rememberedColumns(project));
  const columnIds = colsText !== null ? colsText.split(",").filter(Boolean) : (stored ?? defaults);
  const pickColumns = (ids: string[]) => {
    const choice = ids.length ? ids : null;
    rememberColumns(project, choice);
    setStored(choice);
    setParam("cols", choice ? choice.join(",") : null);
  };
  const dataColumns = columnIds.map(parseColumnId).filter((c): c is DataColumn => c !== null);
  const columnKey = dataColumns.map((c) => c.id).join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: the ids say everything about the columns
  const columns = useMemo(() => tableColumns(dataColumns), [columnKey]);
  const rows = useMemo(() => groupRows(runs, groupBy, collapsed), [runs, groupBy, collapsed]);

  const onSort = (field: string) => {
    const current = query.sort;
    const direction = current.field === field && current.direction === "desc" ? "asc" : "desc";
    setParam("sort", `${field}:${direction}`);
  };
  const selection = useRunSelection(rows, MAX_COMPARE_RUNS);
  const { selected } = selection;
  // Select all takes the runs matching the filter in the table's order (groups in their order).
  const matchingIds = useMemo(
    () => groupRows(runs, groupBy, new Set()).flatMap((row) => (row.kind === "run" ? [row.run.id] : [])),
    [runs, groupBy],
  );
  const unloaded = Math.max(0, (total ?? runs.length) - runs.length);
  const allState = (() => {
    const state = checkState(selected, matchingIds);
    return state === "all" && unloaded > 0 ? "some" : state;
  })();
  const toggleGroup = (label: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(label)) next.delete(label);
      else next.add(label);
      return next;
    });
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const onNearEnd = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const selectedIds = [...selected];
  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link href={paths.projects()}>Projects</Link> /
          </div>
          <h1>
            {project} <span className="count">{total ?? "…"} runs</span>
          </h1>
        </div>
        <div className="page-actions">
          <LiveIndicator state={live} />
          <Link className="btn" href={paths.sweeps(project)}>
            Sweeps
          </Link>
          <label className="inline-field">
            <span>Group</span>
            <select value={groupBy} onChange={(event) => setParam("group", event.target.value || null)}>
              <option value="">None</option>
              <option value="group">Group</option>
              {available.config.map((key) => (
                <option key={key} value={`config.${key}`}>
                  config.{key}
                </option>
              ))}
            </select>
          </label>
          <ColumnPicker
            config={withChosen(available.config, columnIds, /^config\.(.+)$/)}
            metrics={withChosen(available.metrics, columnIds, /^summary\.(.+)\.(?:last|min|max)$/)}
            chosen={columnIds}
            isDefault={colsText === null && stored === null}
            onChange={pickColumns}
          />
          <CsvExportButton query={query} columns={dataColumns} />
          {selected.size > 0 && (
            <button type="button" className="btn btn-ghost" onClick={selection.clear}>
              Clear selection
            </button>
          )}
          <button
            type="button"
            className="btn btn-primary"
            disabled={selected.size === 0}
            onClick={() => navigate(paths.compare(selectedIds))}
            title={
              selected.size === 0
                ? "Select runs with the checkboxes first (shift-click selects a range)"
                : `Compare the ${selected.size} selected runs (at most ${MAX_COMPARE_RUNS})`
            }
          >
            Compare{selected.size ? ` ${selected.size}` : ""}
            {selected.size >= MAX_COMPARE_RUNS ? " (max)" : ""}
          </button>
        </div>
      </div>
      <FilterBar
        value={filter}
        onApply={(text) => setParam("filter", text || null)}
        serverError={list.error ? errorMessage(list.error) : null}
        matching={total}
        onDraftChange={setDraft}
      />
      {draft.pending && runs.length > 0 && (
        <p className="notice stale-notice" role="status">
          {draft.invalid
            ? "The filter you typed has an error: these"
            : "Press Enter to apply the filter you typed: these"}{" "}
          rows are still those of {filter ? <code>{filter}</code> : "no filter"}.
        </p>
      )}
      {selection.notice && (
        <LimitNoticeBar
          notice={selection.notice}
          runs={runs}
          limit={MAX_COMPARE_RUNS}
          onDismiss={selection.dismissNotice}
        />
      )}
      {list.isPending ? (
        <SkeletonRows />
      ) : list.error && runs.length === 0 ? (
        filter ? null : (
          <ErrorState error={list.error} retry={() => void list.refetch()} />
        )
      ) : runs.length === 0 ? (
        <EmptyState title={filter ? "No runs match this filter" : "No runs in this project yet"}>
          {filter ? (
            <p>Loosen the filter, or clear it to see every run.</p>
          ) : (
            <p>
              Queue an experiment from the <Link href={paths.queue()}>Queue</Link>, or report one from a
              script with the SDK (<code>createClient(&#123; url, token &#125;).runs.create(…)</code>).
            </p>
          )}
        </EmptyState>
      ) : (
        <RunsTable
          stale={draft.pending}
          rows={rows}
          columns={columns}
          sort={query.sort}
          onSort={onSort}
          selected={selected}
          onToggle={selection.toggle}
          allState={allState}
          onToggleAll={() => selection.toggleMany(matchingIds, unloaded)}
          onToggleRuns={selection.toggleMany}
          onToggleGroup={toggleGroup}
          onNearEnd={onNearEnd}
        />
      )}
      {isFetchingNextPage && <div className="muted small">Loading more runs…</div>}
    </div>
  );
}
