import { ROLLUP_WIDTHS } from "./series-query.ts";

/** One batch's columns, in the order the points came. */
export interface IngestColumns {
  keys: readonly string[];
  steps: readonly number[];
  values: readonly number[];
  times: readonly number[];
  epochs: readonly (number | null | undefined)[];
}

/** A point's entry in a rollup block or summary: `[value, ±step, time_ms, epoch or -1, attempt]`. */
type Extreme = [number, number, number, number, number];

/** Per-key summary columns of a batch, as the ingest statement folds them into `metric_summaries`. */
export interface SummaryColumns {
  keys: string[];
  firstSteps: number[];
  lasts: number[];
  lastSteps: number[];
  mins: (number | null)[];
  minSteps: (number | null)[];
  maxs: (number | null)[];
  maxSteps: (number | null)[];
  counts: number[];
}

/** Rollup rows of a batch, one per (key, width, block) it touches; `mn`/`mx` as 5 columns each. */
export interface RollupColumns {
  keys: string[];
  widths: number[];
  blocks: number[];
  mn: [number[], number[], number[], number[], number[]];
  mx: [number[], number[], number[], number[], number[]];
  ns: number[];
}

interface Block {
  mn: Extreme;
  mx: Extreme;
  n: number;
}

interface KeyFold {
  count: number;
  firstStep: number;
  lastStep: number;
  last: number;
  blocks: Map<number, Block>[];
}

/** Array order as Postgres compares `float8[]` (the values here are never NaN). */
function before(a: Extreme, b: Extreme): boolean {
  for (let i = 0; i < 5; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/**
 * What the ingest statement's SQL fold (ROLLUP_LEVELS_SQL and the summary CTEs in
 * metric-ingest.ts) computes from a batch's inserted points, computed here from the batch itself
 * for a batch that is stored whole (no (key, step) twice, none stored before): each key's count,
 * first and last step, last value and extremes, and each rollup block's extremes and count of
 * non-NaN points, at every width. The property test in metric-ingest.test.ts holds both to the same
 * answers.
 */
export function foldBatch(
  columns: IngestColumns,
  attempt: number,
): { summaries: SummaryColumns; rollups: RollupColumns } {
  const byKey = new Map<string, KeyFold>();
  for (let i = 0; i < columns.keys.length; i++) {
    const key = columns.keys[i]!;
    const step = columns.steps[i]!;
    const value = columns.values[i]!;
    let fold = byKey.get(key);
    if (!fold) {
      fold = {
        count: 0,
        firstStep: step,
        lastStep: step,
        last: value,
        blocks: ROLLUP_WIDTHS.map(() => new Map()),
      };
      byKey.set(key, fold);
    }
    fold.count++;
    if (step < fold.firstStep) fold.firstStep = step;
    if (step >= fold.lastStep) {
      fold.lastStep = step;
      fold.last = value;
    }
    if (Number.isNaN(value)) continue;
    const epoch = columns.epochs[i] ?? -1;
    const time = columns.times[i]!;
    for (let level = 0; level < ROLLUP_WIDTHS.length; level++) {
      const block = Math.floor(step / ROLLUP_WIDTHS[level]!);
      const blocks = fold.blocks[level]!;
      const held = blocks.get(block);
      const mn: Extreme = [value, step, time, epoch, attempt];
      const mx: Extreme = [value, -step, time, epoch, attempt];
      if (!held) blocks.set(block, { mn, mx, n: 1 });
      else {
        if (before(mn, held.mn)) held.mn = mn;
        if (before(held.mx, mx)) held.mx = mx;
        held.n++;
      }
    }
  }
  const summaries: SummaryColumns = {
    keys: [],
    firstSteps: [],
    lasts: [],
    lastSteps: [],
    mins: [],
    minSteps: [],
    maxs: [],
    maxSteps: [],
    counts: [],
  };
  const rollups: RollupColumns = {
    keys: [],
    widths: [],
    blocks: [],
    mn: [[], [], [], [], []],
    mx: [[], [], [], [], []],
    ns: [],
  };
  for (const [key, fold] of byKey) {
    let mn: Extreme | null = null;
    let mx: Extreme | null = null;
    for (let level = 0; level < ROLLUP_WIDTHS.length; level++) {
      for (const [block, held] of fold.blocks[level]!) {
        if (level === 0) {
          if (mn === null || before(held.mn, mn)) mn = held.mn;
          if (mx === null || before(mx, held.mx)) mx = held.mx;
        }
        rollups.keys.push(key);
        rollups.widths.push(ROLLUP_WIDTHS[level]!);
        rollups.blocks.push(block);
        for (let c = 0; c < 5; c++) {
          rollups.mn[c]!.push(held.mn[c]!);
          rollups.mx[c]!.push(held.mx[c]!);
        }
        rollups.ns.push(held.n);
      }
    }
    summaries.keys.push(key);
    summaries.firstSteps.push(fold.firstStep);
    summaries.lasts.push(fold.last);
    summaries.lastSteps.push(fold.lastStep);
    summaries.mins.push(mn ? mn[0] : null);
    summaries.minSteps.push(mn ? mn[1] : null);
    summaries.maxs.push(mx ? mx[0] : null);
    summaries.maxSteps.push(mx ? -mx[1] : null);
    summaries.counts.push(fold.count);
  }
  return { summaries, rollups };
}
