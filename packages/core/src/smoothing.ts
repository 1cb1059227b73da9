/**
 * TensorBoard's smoothing: an exponential moving average, debiased by `1 - weight^n` so the first
 * points are not dragged towards zero. `weight` is in [0, 1); 0 leaves the values as they are.
 * Non-finite values (NaN, ±Infinity) pass through unchanged and are left out of the average.
 */
export function smoothEma(values: ArrayLike<number>, weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) {
    throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
  }
  const out = new Array<number>(values.length);
  let last = 0;
  // weight^n for the n finite values so far, kept as a product: a power per point is the slowest
  // part of smoothing 50 runs on every step of the slider.
  let decay = 1;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] ?? Number.NaN;
    if (!Number.isFinite(value)) {
      out[i] = value;
      continue;
    }
    last = last * weight + (1 - weight) * value;
    decay *= weight;
    out[i] = last / (1 - decay);
  }
  return out;
}
