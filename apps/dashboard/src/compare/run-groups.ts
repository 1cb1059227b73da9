import type { Run } from "@labtrack/schemas";
import { groupLabelOf } from "../runs/run-columns.ts";

/**
 * The shown runs by their group under `groupBy` (label -> run ids, labels in the order their first
 * run comes), or null when nothing is grouped. Hidden runs stay out of every group.
 */
export function groupRunsBy(
  runs: readonly Run[],
  groupBy: string,
  hidden: ReadonlySet<string>,
): Map<string, string[]> | null {
  if (!groupBy) return null;
  const groups = new Map<string, string[]>();
  for (const run of runs) {
    if (hidden.has(run.id)) continue;
    const label = groupLabelOf(run, groupBy);
    const members = groups.get(label);
    if (members) members.push(run.id);
    else groups.set(label, [run.id]);
  }
  return groups;
}
