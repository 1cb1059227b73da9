/** Steps and epochs are whole numbers: ticks 1, 2, 5, 10, 20, 50 … apart, never 0.5. */
export const WHOLE_NUMBER_INCREMENTS = Array.from({ length: 12 }, (_, e) =>
  [1, 2, 5].map((m) => m * 10 ** e),
).flat();

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/**
 * Seconds between ticks of a duration axis: round seconds, minutes, hours and days (15 min, not
 * the 1,000 s = 16m 40s a decimal scale would pick).
 */
export const DURATION_INCREMENTS = [
  1,
  2,
  5,
  10,
  15,
  30,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
];

/**
 * Width for a y axis whose labels are `labels`: the widest label plus the tick and gap, so
 * `0.00075` is not clipped to `.00075`. `measure` gives a label's width in CSS pixels.
 */
export function axisWidthFor(
  labels: readonly string[] | null | undefined,
  measure: (label: string) => number,
  minimum = 32,
): number {
  let widest = 0;
  for (const label of labels ?? []) widest = Math.max(widest, measure(label));
  // 10 px of tick and gap on the plot side, 6 px of margin on the outside.
  return Math.max(minimum, Math.ceil(widest + 16));
}
