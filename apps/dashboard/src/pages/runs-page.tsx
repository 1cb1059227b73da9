import { useCallback, useDeferredValue, useMemo, useState } from "react";
import { errorMessage } from "../api/error-message.ts";
import { MAX_COMPARE_RUNS } from "../compare/compare-url-state.ts";
import { EmptyState, ErrorState, SkeletonRows } from "../components/states.tsx";
import { LiveIndicator } from "../live/use-live-runs.tsx";
import { Link, navigate, useLocation } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import { ColumnPicker } from "../runs/column-picker.tsx";
import { FilterBar } from "../runs/filter-bar.tsx";
import {
  availableColumns,
  type DataColumn,
  defaultColumnIds,
  groupRows,
  parseColumnId,
} from "../runs/run-columns.ts";
import { RunsTable, tableColumns } from "../runs/runs-table.tsx";
import { type RunsQuery, useRunsList } from "../runs/use-runs-list.ts";

function parseSort(text: string | null): RunsQuery["sort"] {
  const match = /^(.+):(asc|desc)$/.exec(text ?? "");
  return match?.[1] && match[2]
    ? { field: match[1], direction: match[2] as "asc" | "desc" }
    : { field: "createdAt", direction: "desc" };
}

/** A project's runs: filter, sort, group, choose columns, select runs to compare. */
export function RunsPage({ project }: { project: string }) {
  const { search } = useLocation();
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
  const [selected, setSelected] = useState<Set<string>>(new Set());
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
  const defaults = useMemo(() => defaultColumnIds(firstPage ?? []), [firstPage]);
  const columnIds = colsText !== null ? colsText.split(",").filter(Boolean) : defaults;
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
  const toggle = useCallback(
    (runId: string) =>
      setSelected((current) => {
        const next = new Set(current);
        if (next.has(runId)) next.delete(runId);
        else if (next.size < MAX_COMPARE_RUNS) next.add(runId);
        return next;
      }),
    [],
  );
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
            config={available.config}
            metrics={available.metrics}
            chosen={columnIds}
            isDefault={colsText === null}
            onChange={(ids) => setParam("cols", ids.length ? ids.join(",") : null)}
          />
          {selected.size > 0 && (
            <button type="button" className="btn btn-ghost" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          )}
          <button
            type="button"
            className="btn btn-primary"
            disabled={selected.size === 0}
            onClick={() => navigate(paths.compare(selectedIds))}
            title={selected.size === 0 ? "Select runs with the checkboxes first" : undefined}
          >
            Compare{selected.size ? ` ${selected.size}` : ""}
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
          onToggle={toggle}
          onToggleGroup={toggleGroup}
          onNearEnd={onNearEnd}
        />
      )}
      {isFetchingNextPage && <div className="muted small">Loading more runs…</div>}
    </div>
  );
}
