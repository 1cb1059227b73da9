import type { ChartLine } from "./chart-data.ts";

export interface TooltipValue {
  runId: string;
  /** What the chart shows there: the smoothed value when smoothing is on; NaN and ±Infinity as logged. */
  value: number;
  /** False when the run has a point at exactly this x; true when read between two of its points. */
  interpolated: boolean;
}

/** The position of `index` in the sorted `at`, or where it would be inserted. */
function search(at: Int32Array, index: number): number {
  let lo = 0;
  let hi = at.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((at[mid] ?? 0) < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Each line's value at the shared x `index`: its own point there, or the straight line between its
 * points on either side. A run that has not started or has already ended at that x is left out,
 * as is a gap next to a NaN or an infinity (nothing is drawn there).
 */
export function valuesAtIndex(
  lines: readonly ChartLine[],
  xs: ArrayLike<number>,
  index: number,
): TooltipValue[] {
  const out: TooltipValue[] = [];
  const x = xs[index];
  if (x === undefined) return out;
  for (const line of lines) {
    const shown = line.smoothedValues ?? line.values;
    const k = search(line.at, index);
    if (line.at[k] === index) {
      const raw = line.values[k] ?? Number.NaN;
      out.push({
        runId: line.runId,
        value: Number.isFinite(raw) ? (shown[k] ?? raw) : raw,
        interpolated: false,
      });
      continue;
    }
    if (k === 0 || k >= line.at.length) continue;
    const before = shown[k - 1] ?? Number.NaN;
    const after = shown[k] ?? Number.NaN;
    if (!Number.isFinite(before) || !Number.isFinite(after)) continue;
    const x0 = xs[line.at[k - 1] ?? 0] ?? x;
    const x1 = xs[line.at[k] ?? 0] ?? x;
    const t = x1 === x0 ? 0 : (x - x0) / (x1 - x0);
    out.push({ runId: line.runId, value: before + (after - before) * t, interpolated: true });
  }
  return out;
}

/** Non-finite values first (they are what needs seeing), then highest first, as TensorBoard lists them. */
function byValue(a: TooltipValue, b: TooltipValue): number {
  const af = Number.isFinite(a.value);
  const bf = Number.isFinite(b.value);
  if (af !== bf) return af ? 1 : -1;
  if (!af) return 0;
  return b.value - a.value;
}

/**
 * The rows a tooltip lists: the top `limit` runs at that x, with the highlighted run always among
 * them (in its place by value), and how many were left out.
 */
export function topTooltipRows(
  values: readonly TooltipValue[],
  limit: number,
  highlighted: string | null,
): { rows: TooltipValue[]; more: number } {
  const sorted = [...values].sort(byValue);
  const rows = sorted.slice(0, limit);
  const chosen = highlighted === null ? undefined : sorted.find((v) => v.runId === highlighted);
  if (chosen && !rows.includes(chosen)) {
    rows[rows.length - 1] = chosen;
    rows.sort(byValue);
  }
  return { rows, more: sorted.length - rows.length };
}

/** The run whose curve passes closest to the pointer's height (`toPixel` maps a value to the plot's y). */
export function nearestRun(
  values: readonly TooltipValue[],
  toPixel: (value: number) => number,
  pointerY: number,
): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v.value)) continue;
    const distance = Math.abs(toPixel(v.value) - pointerY);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = v.runId;
    }
  }
  return best;
}
