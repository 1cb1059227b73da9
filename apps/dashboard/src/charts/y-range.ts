/** The value at quantile `q` (0..1) of sorted values, interpolated between neighbours. */
function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] ?? Number.NaN;
  const b = sorted[upper] ?? a;
  return a + (b - a) * (position - lower);
}

/**
 * A y range that ignores outliers, as TensorBoard's "ignore outliers in chart scaling" does: from
 * the 1st to the 99th percentile of the finite values, padded by 5 % each side, so one spike to 22
 * does not flatten curves that live between 0 and 1. On a log scale only positive values count and
 * the padding is a factor. Null when there is nothing to range over.
 */
export function outlierFreeRange(
  columns: readonly (readonly (number | null | undefined)[])[],
  opts: { logScale: boolean; lower?: number; upper?: number },
): [number, number] | null {
  let count = 0;
  for (const column of columns)
    for (const v of column) if (v !== null && v !== undefined && Number.isFinite(v)) count++;
  const values = new Float64Array(count);
  let i = 0;
  for (const column of columns) {
    for (const v of column) {
      if (v === null || v === undefined || !Number.isFinite(v) || (opts.logScale && v <= 0)) continue;
      values[i++] = opts.logScale ? Math.log10(v) : v;
    }
  }
  const finite = values.subarray(0, i).sort();
  if (finite.length === 0) return null;
  let lo = quantile(finite, opts.lower ?? 0.01);
  let hi = quantile(finite, opts.upper ?? 0.99);
  if (hi === lo) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  } else {
    const pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  return opts.logScale ? [10 ** lo, 10 ** hi] : [lo, hi];
}
