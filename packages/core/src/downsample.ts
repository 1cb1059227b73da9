/**
 * Picks at most `maxPoints` indices of a series so that a chart of them keeps its shape: the step
 * range is cut into equal-width buckets and each bucket keeps the index of its smallest and its
 * largest value, so spikes survive. The first and last index are always kept. Steps are expected in
 * ascending order; NaN values are ignored when looking for extremes.
 */
export function downsampleMinMax(
  steps: ArrayLike<number>,
  values: ArrayLike<number>,
  maxPoints: number,
): number[] {
  const n = Math.min(steps.length, values.length);
  const limit = Math.floor(maxPoints);
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  if (limit <= 0) return [];
  if (limit === 1) return [0];

  const buckets = Math.floor((limit - 2) / 2);
  const keep = new Set<number>([0, n - 1]);
  if (buckets > 0) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const step = steps[i] ?? 0;
      if (step < lo) lo = step;
      if (step > hi) hi = step;
    }
    const width = (hi - lo) / buckets;
    const minIdx = new Array<number>(buckets).fill(-1);
    const maxIdx = new Array<number>(buckets).fill(-1);
    const firstIdx = new Array<number>(buckets).fill(-1);
    for (let i = 0; i < n; i++) {
      const offset = width > 0 ? Math.floor(((steps[i] ?? lo) - lo) / width) : 0;
      const b = Math.min(buckets - 1, Math.max(0, Number.isFinite(offset) ? offset : 0));
      if (firstIdx[b] === -1) firstIdx[b] = i;
      const value = values[i] ?? Number.NaN;
      if (Number.isNaN(value)) continue;
      const currentMin = minIdx[b] ?? -1;
      if (currentMin === -1 || value < (values[currentMin] ?? value)) minIdx[b] = i;
      const currentMax = maxIdx[b] ?? -1;
      if (currentMax === -1 || value > (values[currentMax] ?? value)) maxIdx[b] = i;
    }
    for (let b = 0; b < buckets; b++) {
      const lowest = minIdx[b] ?? -1;
      const highest = maxIdx[b] ?? -1;
      if (lowest === -1) {
        const first = firstIdx[b] ?? -1;
        if (first !== -1) keep.add(first);
        continue;
      }
      keep.add(lowest);
      keep.add(highest);
    }
  }
  return [...keep].sort((a, b) => a - b);
}
