/**
 * What happens to a metric value logged again at a step that already holds another value
 * (MLflow keeps every value; `log_metric` without a step always sends step 0), so that nothing a
 * user logged vanishes and nothing is doubled by a client's retries:
 * - a point with the value already stored at its step is a retry, or says nothing new (Lightning
 *   logs `epoch` with the training and again with the validation metrics of a step);
 * - a point with the same key, wall time and value as any stored point of its key is a retry of a
 *   point moved before;
 * - any other point at an occupied step moves to the key's next free step after its last step.
 */
export interface TimedPoint {
  key: string;
  step: number;
  value: number;
  timeMs: number;
}

/** Doubles equal as Postgres compares float8: NaN equals NaN, 0 equals -0. */
export function sameMetricValue(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

const stepKey = (key: string, step: number) => `${key}\u0000${step}`;
const valueKey = (key: string, timeMs: number, value: number) =>
  `${key}\u0000${timeMs}\u0000${Number.isNaN(value) ? "NaN" : value === 0 ? 0 : value}`;

/**
 * The points of a batch to store again at new steps (in input order, each with its new step). `storedAtStep` holds what is stored
 * at each (key, step) of the batch, `storedSameTime` the stored points of the batch's keys with
 * the same wall time and value as a batch point, `lastStep` each key's last stored step.
 */
export function planRelogged(
  batch: readonly TimedPoint[],
  storedAtStep: readonly TimedPoint[],
  storedSameTime: readonly TimedPoint[],
  lastStep: ReadonlyMap<string, number>,
): TimedPoint[] {
  const atStep = new Map(storedAtStep.map((p) => [stepKey(p.key, p.step), p]));
  const seen = new Set(storedSameTime.map((p) => valueKey(p.key, p.timeMs, p.value)));
  const next = new Map<string, number>();
  const moved: TimedPoint[] = [];
  for (const point of batch) {
    const stored = atStep.get(stepKey(point.key, point.step));
    if (!stored) continue;
    if (sameMetricValue(stored.value, point.value)) {
      // Stored by this batch, a retry of an earlier one, or the same value again: nothing to add.
      seen.add(valueKey(point.key, point.timeMs, point.value));
      continue;
    }
    const identity = valueKey(point.key, point.timeMs, point.value);
    if (seen.has(identity)) continue;
    seen.add(identity);
    const step = next.get(point.key) ?? Math.max(lastStep.get(point.key) ?? point.step, point.step) + 1;
    next.set(point.key, step + 1);
    moved.push({ ...point, step });
  }
  return moved;
}
