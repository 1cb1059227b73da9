import type { Run } from "@labtrack/schemas";
import type { LimitNotice } from "./use-run-selection.ts";

const NAMES_SHOWN = 3;

/** "Compare takes at most 50 runs: 10 runs were not added (sweep-51, sweep-52, sweep-53 and 7 more)." */
export function limitNoticeText(notice: LimitNotice, names: readonly string[], limit: number): string {
  const count = notice.runIds.length + notice.unloaded;
  const listed = names.slice(0, NAMES_SHOWN);
  const rest = count - listed.length;
  const which =
    count === 1 && listed.length === 1
      ? `${listed[0]} was not added`
      : `${count} runs were not added${listed.length ? ` (${listed.join(", ")}${rest > 0 ? ` and ${rest} more` : ""})` : ""}`;
  return `Compare takes at most ${limit} runs: ${which}. Unselect some runs to make room for others.`;
}

export function LimitNoticeBar({
  notice,
  runs,
  limit,
  onDismiss,
}: {
  notice: LimitNotice;
  runs: readonly Run[];
  limit: number;
  onDismiss: () => void;
}) {
  const wanted = new Set(notice.runIds.slice(0, NAMES_SHOWN));
  const nameOf = new Map(runs.filter((run) => wanted.has(run.id)).map((run) => [run.id, run.name]));
  const names = notice.runIds.slice(0, NAMES_SHOWN).map((id) => nameOf.get(id) ?? id.slice(0, 8));
  return (
    <div className="notice limit-notice" role="status" data-testid="compare-limit-notice">
      <span>{limitNoticeText(notice, names, limit)}</span>
      <button type="button" className="btn btn-small btn-ghost" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
