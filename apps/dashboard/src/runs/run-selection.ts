import type { RunRow } from "./run-columns.ts";

/** The selection after a change, and the runs that were asked for but not added (over the limit). */
export interface SelectionChange {
  next: Set<string>;
  notAdded: string[];
}

/** How many of `ids` are selected: a header or group checkbox is ticked, half-ticked or empty. */
export type CheckState = "all" | "some" | "none";

export function checkState(selected: ReadonlySet<string>, ids: readonly string[]): CheckState {
  let count = 0;
  for (const id of ids) if (selected.has(id)) count += 1;
  if (count === 0) return "none";
  return count === ids.length ? "all" : "some";
}

/** Selects `ids` in their order until `limit` runs are selected; the rest are reported, not added. */
export function addToSelection(
  selected: ReadonlySet<string>,
  ids: readonly string[],
  limit: number,
): SelectionChange {
  const next = new Set(selected);
  const notAdded: string[] = [];
  for (const id of ids) {
    if (next.has(id)) continue;
    if (next.size < limit) next.add(id);
    else notAdded.push(id);
  }
  return { next, notAdded };
}

export function removeFromSelection(selected: ReadonlySet<string>, ids: readonly string[]): Set<string> {
  const next = new Set(selected);
  for (const id of ids) next.delete(id);
  return next;
}

/**
 * The run ids shown between `fromId` and `toId` (both included), in the order from the first to
 * the second; group heads and the runs of collapsed groups are not in `rows` and are skipped.
 * Null when either run is not shown (then a shift-click selects the one run).
 */
export function rangeOfRows(rows: readonly RunRow[], fromId: string, toId: string): string[] | null {
  const ids = rows.flatMap((row) => (row.kind === "run" ? [row.run.id] : []));
  const from = ids.indexOf(fromId);
  const to = ids.indexOf(toId);
  if (from < 0 || to < 0) return null;
  return from <= to ? ids.slice(from, to + 1) : ids.slice(to, from + 1).reverse();
}

/**
 * A click on a run's checkbox: it flips that run; with shift, every shown run from the last
 * clicked one to this one takes this run's new state (added in order from the last clicked, so
 * at the limit the runs nearest it are kept).
 */
export function clickRun(
  selected: ReadonlySet<string>,
  rows: readonly RunRow[],
  runId: string,
  anchorId: string | null,
  shift: boolean,
  limit: number,
): SelectionChange {
  const adding = !selected.has(runId);
  const range = shift && anchorId ? rangeOfRows(rows, anchorId, runId) : null;
  const ids = range ?? [runId];
  return adding
    ? addToSelection(selected, ids, limit)
    : { next: removeFromSelection(selected, ids), notAdded: [] };
}

/** A click on a header or group checkbox: selects all of `ids` unless some are, then unselects them. */
export function clickAll(
  selected: ReadonlySet<string>,
  ids: readonly string[],
  limit: number,
): SelectionChange {
  return checkState(selected, ids) === "none"
    ? addToSelection(selected, ids, limit)
    : { next: removeFromSelection(selected, ids), notAdded: [] };
}
