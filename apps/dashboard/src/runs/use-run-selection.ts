import { useCallback, useRef, useState } from "react";
import type { RunRow } from "./run-columns.ts";
import { clickAll, clickRun, type SelectionChange } from "./run-selection.ts";

/** What the last click asked for and did not get: runs left out because Compare's limit was reached. */
export interface LimitNotice {
  /** The loaded runs that were not added, in the order they were asked for. */
  runIds: string[];
  /** How many more, matching the filter but not loaded yet, were not added either. */
  unloaded: number;
}

/**
 * The runs selected for Compare: single clicks, shift-click ranges, a group's or the whole filter's
 * runs at once, never more than `limit`, with a notice of what a click could not add.
 */
export function useRunSelection(rows: readonly RunRow[], limit: number) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<LimitNotice | null>(null);
  const anchor = useRef<string | null>(null);
  // The callbacks read the latest rows and selection without changing identity, so rows stay memoised.
  const latest = useRef({ rows, selected });
  latest.current = { rows, selected };

  const apply = useCallback((change: SelectionChange, unloaded = 0) => {
    latest.current.selected = change.next;
    setSelected(change.next);
    setNotice(change.notAdded.length > 0 ? { runIds: change.notAdded, unloaded } : null);
  }, []);

  const toggle = useCallback(
    (runId: string, shift: boolean) => {
      const { rows: shown, selected: current } = latest.current;
      apply(clickRun(current, shown, runId, anchor.current, shift, limit));
      anchor.current = runId;
    },
    [apply, limit],
  );

  /** The header's or a group's checkbox; `unloaded` counts the matching runs not loaded yet. */
  const toggleMany = useCallback(
    (runIds: string[], unloaded = 0) => apply(clickAll(latest.current.selected, runIds, limit), unloaded),
    [apply, limit],
  );

  const clear = useCallback(() => apply({ next: new Set(), notAdded: [] }), [apply]);
  const dismissNotice = useCallback(() => setNotice(null), []);
  return { selected, notice, toggle, toggleMany, clear, dismissNotice };
}
