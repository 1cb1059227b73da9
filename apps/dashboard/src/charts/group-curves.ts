import { smoothEma } from "@labtrack/core";
import type { AlignedRun, AlignedSeries, ChartLine } from "./chart-data.ts";

/** One group's curve: the mean of its runs at each x, and the band from their min to their max. */
export interface GroupCurve {
  /** `group:<label>`: the id the tooltip, the colours and the highlight use. */
  id: string;
  label: string;
  runIds: string[];
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
  /** Runs that have a value at each x. */
  count: number[];
}

export const groupId = (label: string) => `group:${label}`;

/**
 * A run's (smoothed) values at every x from its first point to its last: its own points, and the
 * straight line between them elsewhere; null outside its steps and next to NaN or infinities.
 */
export function denseValues(run: AlignedRun, values: readonly number[], length: number): (number | null)[] {
  const out = new Array<number | null>(length).fill(null);
  for (let k = 0; k < run.at.length; k++) {
    const index = run.at[k] ?? 0;
    const value = values[k] ?? Number.NaN;
    if (Number.isFinite(value)) out[index] = value;
    const nextIndex = run.at[k + 1];
    const next = values[k + 1];
    if (nextIndex === undefined || next === undefined || !Number.isFinite(value) || !Number.isFinite(next))
      continue;
    for (let i = index + 1; i < nextIndex; i++)
      out[i] = value + ((next - value) * (i - index)) / (nextIndex - index);
  }
  return out;
}

/**
 * Curves of run groups: each run smoothed first (the slider still applies), then at each x the
 * mean, min and max of the group's runs that have a value there, as W&B's grouped lines and
 * TensorBoard's requested "mean with a band" do. Interpolating between a run's own points keeps
 * runs logged at different steps in the same mean. Groups keep the order they are given in.
 */
export function groupCurves(
  aligned: AlignedSeries,
  groups: ReadonlyMap<string, readonly string[]>,
  smoothing: number,
): GroupCurve[] {
  const length = aligned.xs.length;
  const byRun = new Map(aligned.runs.map((run) => [run.runId, run]));
  const curves: GroupCurve[] = [];
  for (const [label, runIds] of groups) {
    const members = runIds.flatMap((id) => {
      const run = byRun.get(id);
      return run ? [run] : [];
    });
    if (members.length === 0) continue;
    const sum = new Float64Array(length);
    const count = new Array<number>(length).fill(0);
    const min = new Array<number | null>(length).fill(null);
    const max = new Array<number | null>(length).fill(null);
    for (const run of members) {
      const values = smoothing > 0 ? smoothEma(run.values, smoothing) : run.values;
      const dense = denseValues(run, values, length);
      for (let i = 0; i < length; i++) {
        const v = dense[i];
        if (v === null || v === undefined) continue;
        sum[i] = (sum[i] ?? 0) + v;
        count[i] = (count[i] ?? 0) + 1;
        const lo = min[i];
        const hi = max[i];
        min[i] = lo === null || lo === undefined || v < lo ? v : lo;
        max[i] = hi === null || hi === undefined || v > hi ? v : hi;
      }
    }
    const mean = count.map((n, i) => (n > 0 ? (sum[i] ?? 0) / n : null));
    curves.push({ id: groupId(label), label, runIds: members.map((r) => r.runId), mean, min, max, count });
  }
  return curves;
}

/** The groups' mean curves as chart lines, so the tooltip and the highlight treat them as runs. */
export function groupLines(
  curves: readonly GroupCurve[],
  meanColumn: (index: number) => number,
): ChartLine[] {
  return curves.map((curve, g) => {
    const at: number[] = [];
    const values: number[] = [];
    curve.mean.forEach((v, i) => {
      if (v === null) return;
      at.push(i);
      values.push(v);
    });
    return {
      runId: curve.id,
      at: Int32Array.from(at),
      values,
      raw: meanColumn(g),
      smoothed: null,
      smoothedValues: null,
    };
  });
}
