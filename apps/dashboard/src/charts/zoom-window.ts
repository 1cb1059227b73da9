/**
 * The step window a chart's x scale shows: null when it covers all the data (zoom reset), else
 * whole steps around the visible range, to ask the server for full detail of just that window.
 */
export function zoomWindowOf(
  xs: ArrayLike<number>,
  min: number | null | undefined,
  max: number | null | undefined,
): { min: number; max: number } | null | undefined {
  if (min === null || min === undefined || max === null || max === undefined || xs.length === 0)
    return undefined;
  const first = xs[0] ?? 0;
  const last = xs[xs.length - 1] ?? 0;
  if (min <= first && max >= last) return null;
  return { min: Math.max(0, Math.floor(min)), max: Math.max(0, Math.ceil(max)) };
}
