import type { Run } from "@labtrack/schemas";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, type ReactNode, useEffect, useRef } from "react";
import {
  formatConfigValue,
  formatDuration,
  formatMetric,
  formatRelativeTime,
} from "../charts/format-number.ts";
import { StatusBadge } from "../components/status-badge.tsx";
import { Link } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import { columnLabel, columnValue, type DataColumn, type RunRow } from "./run-columns.ts";
import { type CheckState, checkState } from "./run-selection.ts";
import { TriStateCheckbox } from "./tri-state-checkbox.tsx";

export interface TableColumn {
  id: string;
  label: string;
  /** Pixels. */
  width: number;
  sortField?: string;
  numeric?: boolean;
  cell: (run: Run) => ReactNode;
}

function runDuration(run: Run): string {
  if (!run.startedAt) return "–";
  const end = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
  return formatDuration(end - Date.parse(run.startedAt));
}

function showValue(value: unknown, scope: DataColumn["scope"]): string {
  if (value === undefined) return "";
  if (scope === "config") return formatConfigValue(value);
  if (typeof value === "number") return formatMetric(value);
  if (value === "NaN" || value === "Infinity" || value === "-Infinity") return formatMetric(Number(value));
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export function tableColumns(dataColumns: readonly DataColumn[]): TableColumn[] {
  const fixed: TableColumn[] = [
    {
      id: "status",
      label: "Status",
      width: 104,
      sortField: "status",
      cell: (r) => <StatusBadge status={r.status} />,
    },
    {
      id: "name",
      label: "Name",
      width: 240,
      sortField: "name",
      cell: (r) => (
        <Link href={paths.run(r.id)} className="run-name" title={r.name}>
          {r.name}
        </Link>
      ),
    },
    {
      id: "group",
      label: "Group",
      width: 120,
      // A sweep's runs have its name as their group: the cell leads to the sweep's page.
      cell: (r) =>
        r.sweep ? (
          <Link href={paths.sweep(r.project, r.sweep.id)} title={`sweep ${r.sweep.name}`}>
            {r.group ?? r.sweep.name}
          </Link>
        ) : (
          (r.group ?? "")
        ),
    },
    {
      id: "tags",
      label: "Tags",
      width: 120,
      cell: (r) => (
        <span className="tags">
          {r.tags.map((t) => (
            <span key={t} className="tag">
              {t}
            </span>
          ))}
        </span>
      ),
    },
    { id: "runner", label: "Runner", width: 110, cell: (r) => r.runner ?? "" },
    { id: "duration", label: "Duration", width: 84, numeric: true, cell: runDuration },
    {
      id: "created",
      label: "Created",
      width: 96,
      sortField: "createdAt",
      cell: (r) => formatRelativeTime(r.createdAt),
    },
  ];
  const data = dataColumns.map(
    (column): TableColumn => ({
      id: column.id,
      label: columnLabel(column),
      // Config values are short (a rate, a seed, a name); metric labels carry their stat.
      width: column.scope === "config" ? 120 : 150,
      sortField: column.id,
      numeric: true,
      cell: (r) => showValue(columnValue(r, column), column.scope),
    }),
  );
  return [...fixed, ...data];
}

export interface RunsTableProps {
  rows: RunRow[];
  columns: TableColumn[];
  sort: { field: string; direction: "asc" | "desc" };
  onSort: (field: string) => void;
  selected: ReadonlySet<string>;
  /** A run's checkbox clicked; `shift` extends from the last clicked run. */
  onToggle: (runId: string, shift: boolean) => void;
  /** How many of the runs matching the filter are selected, for the header's checkbox. */
  allState: CheckState;
  onToggleAll: () => void;
  /** A group's checkbox clicked: its runs, collapsed or not. */
  onToggleRuns: (runIds: string[]) => void;
  onToggleGroup: (label: string) => void;
  /** Near the end of the loaded rows: load the next page. */
  onNearEnd?: () => void;
  /** The rows are not the result of what the filter bar now says: shown dimmed. */
  stale?: boolean;
}

const ROW_HEIGHT = 34;
const CHECK_COLUMN_PX = 36;

/** Only the rows in view are in the DOM, so thousands of runs scroll smoothly. */
export function RunsTable({
  rows,
  columns,
  sort,
  onSort,
  selected,
  onToggle,
  allState,
  onToggleAll,
  onToggleRuns,
  onToggleGroup,
  onNearEnd,
  stale,
}: RunsTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // Let React batch scroll renders instead of flushing synchronously inside the scroll event.
    useFlushSync: false,
  });
  const template = `${CHECK_COLUMN_PX}px ${columns.map((c) => `${c.width}px`).join(" ")}`;
  // Rows are absolutely placed, so they are only as wide as the table: make the table as wide as
  // its columns, or the columns past the window's width scroll into view empty.
  const gridWidth = columns.reduce((sum, column) => sum + column.width, CHECK_COLUMN_PX);
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (rows.length > 0 && lastIndex >= rows.length - 150) onNearEnd?.();
  }, [lastIndex, rows.length, onNearEnd]);

  return (
    <div
      className={`runs-table ${stale ? "stale" : ""}`}
      ref={scroller}
      data-testid="runs-table"
      aria-busy={stale || undefined}
    >
      <table className="runs-grid" aria-rowcount={rows.length + 1} style={{ minWidth: gridWidth }}>
        <thead>
          <tr className="runs-row runs-head" style={{ gridTemplateColumns: template }}>
            <th className="cell cell-check">
              <TriStateCheckbox
                state={allState}
                onClick={onToggleAll}
                label={allState === "none" ? "Select all runs matching the filter" : "Unselect these runs"}
              />
            </th>
            {columns.map((column) => {
              const active = sort.field === column.sortField;
              return (
                <th
                  key={column.id}
                  scope="col"
                  className={`cell ${column.numeric ? "num" : ""}`}
                  aria-sort={active ? (sort.direction === "asc" ? "ascending" : "descending") : undefined}
                >
                  {column.sortField ? (
                    <button
                      type="button"
                      className="sort-button"
                      onClick={() => onSort(column.sortField ?? "")}
                      title={`Sort by ${column.label}`}
                    >
                      <span className="truncate">{column.label}</span>
                      <span className="sort-arrow" aria-hidden="true">
                        {active ? (sort.direction === "asc" ? "▲" : "▼") : ""}
                      </span>
                    </button>
                  ) : (
                    <span className="truncate">{column.label}</span>
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="runs-body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const style = { transform: `translateY(${item.start}px)`, gridTemplateColumns: template };
            if (row.kind === "group") {
              return (
                <tr
                  key={`group:${row.label}`}
                  className="runs-row group-row"
                  style={style}
                  aria-rowindex={item.index + 2}
                >
                  <td colSpan={columns.length + 1}>
                    <span className="cell-check">
                      <TriStateCheckbox
                        state={checkState(selected, row.runIds)}
                        onClick={() => onToggleRuns(row.runIds)}
                        label={`Select the ${row.count} runs of ${row.label}`}
                      />
                    </span>
                    <button
                      type="button"
                      className="group-toggle"
                      aria-expanded={!row.collapsed}
                      onClick={() => onToggleGroup(row.label)}
                    >
                      <span aria-hidden="true">{row.collapsed ? "▸" : "▾"}</span> {row.label}
                      <span className="muted"> · {row.count} runs</span>
                    </button>
                  </td>
                </tr>
              );
            }
            return (
              <RunTableRow
                key={row.run.id}
                run={row.run}
                columns={columns}
                selected={selected.has(row.run.id)}
                onToggle={onToggle}
                style={style}
                rowIndex={item.index + 2}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function isShiftClick(event: Event): boolean {
  return event instanceof MouseEvent && event.shiftKey;
}

interface RunTableRowProps {
  run: Run;
  columns: TableColumn[];
  selected: boolean;
  onToggle: (runId: string, shift: boolean) => void;
  style: { transform: string; gridTemplateColumns: string };
  /** The row's place in the whole table (the header is row 1), which the rows drawn alone do not say. */
  rowIndex: number;
}

/** Re-renders only when its run, the columns, its selection or its position change. */
const RunTableRow = memo(
  function RunTableRow({ run, columns, selected, onToggle, style, rowIndex }: RunTableRowProps) {
    return (
      <tr
        className={`runs-row ${selected ? "selected" : ""}`}
        style={style}
        data-run-id={run.id}
        aria-rowindex={rowIndex}
      >
        <td className="cell cell-check">
          <input
            type="checkbox"
            checked={selected}
            // React's change event on a checkbox is the click itself, which says whether shift was held.
            onChange={(event) => onToggle(run.id, isShiftClick(event.nativeEvent))}
            // Shift-click would otherwise also select the page's text between the two rows.
            onMouseDown={(event) => {
              if (event.shiftKey) event.preventDefault();
            }}
            aria-label={`Select ${run.name}`}
          />
        </td>
        {columns.map((column) => {
          const content = column.cell(run);
          // A clipped value (a long name, a JSON array) reads in full on hover.
          const title = typeof content === "string" && content.length > 12 ? content : undefined;
          return (
            <td key={column.id} className={`cell ${column.numeric ? "num" : ""}`} title={title}>
              {content}
            </td>
          );
        })}
      </tr>
    );
  },
  (a, b) =>
    a.run === b.run &&
    a.columns === b.columns &&
    a.selected === b.selected &&
    a.rowIndex === b.rowIndex &&
    a.onToggle === b.onToggle &&
    a.style.transform === b.style.transform &&
    a.style.gridTemplateColumns === b.style.gridTemplateColumns,
);
