import type { XAxis } from "../compare/compare-url-state.ts";
import { xValues } from "./chart-data.ts";
import type { SeriesData } from "./series-data.ts";

/** Where a run's curve passes from one attempt's points to another's (a retried run). */
export interface AttemptMark {
  runId: string;
  /** x of the first point of `attempt` on the chart's axis. */
  x: number;
  attempt: number;
  /** True where a later attempt begins (drawn as a marker); false where an earlier one's points resume. */
  begins: boolean;
}

/**
 * Each point where a series' attempt changes, in x order. A later attempt's points replace an
 * earlier attempt's from where it restarted, so for a retried run this is usually one mark per
 * retry ("attempt 2 began here"); runs that were never retried give none.
 */
export function attemptMarks(seriesList: readonly SeriesData[], xAxis: XAxis): AttemptMark[] {
  const marks: AttemptMark[] = [];
  for (const series of seriesList) {
    if (!series.attempts.some((a) => a > 1)) continue;
    const xs = xValues(series, xAxis);
    let previous = 1;
    let highest = 1;
    series.attempts.forEach((attempt, i) => {
      const x = xs[i];
      if (attempt !== previous && x !== undefined) {
        marks.push({ runId: series.runId, x, attempt, begins: attempt > highest });
      }
      previous = attempt;
      highest = Math.max(highest, attempt);
    });
  }
  return marks.sort((a, b) => a.x - b.x);
}

/** The attempt that wrote a run's point at (or just before) `x`, from its marks; 1 before any. */
export function attemptAt(marks: readonly AttemptMark[], runId: string, x: number): number {
  let attempt = 1;
  for (const mark of marks) {
    if (mark.x > x) break;
    if (mark.runId === runId) attempt = mark.attempt;
  }
  return attempt;
}
