import type { JsonValue } from "@labtrack/schemas";
import type { ImportanceRow } from "./parameter-importance.ts";
import { mixSeed, seededUniform } from "./seeded-random.ts";

export interface ForestOptions {
  /** Trees in the forest (each grown on a bootstrap sample of the runs). */
  trees?: number;
  maxDepth?: number;
  /** Fewest runs in a leaf. */
  minLeaf?: number;
  seed?: number;
}

/**
 * A parameter as the trees read it: a dense rank per run (a tree only compares values, so a log
 * scale changes nothing; equal values share a rank), or a category code. A run without the
 * parameter is its own category, or below every number.
 */
type Feature =
  | { kind: "numeric"; rank: Int32Array }
  | { kind: "categorical"; codes: Int32Array; count: number };

function encode(rows: ImportanceRow[], name: string): Feature {
  const values: (JsonValue | undefined)[] = rows.map((r) => r.params[name]);
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length > 0 && present.every((v) => typeof v === "number" && Number.isFinite(v))) {
    const numbers = values.map((v) => (typeof v === "number" ? v : -Infinity));
    const distinct = [...new Set(numbers)].sort((a, b) => a - b);
    const rankOf = new Map(distinct.map((v, i) => [v, i]));
    return { kind: "numeric", rank: Int32Array.from(numbers, (v) => rankOf.get(v) as number) };
  }
  const codeOf = new Map<string, number>();
  const codes = Int32Array.from(values, (v) => {
    const key = JSON.stringify(v ?? null);
    const known = codeOf.get(key);
    if (known !== undefined) return known;
    codeOf.set(key, codeOf.size);
    return codeOf.size - 1;
  });
  return { kind: "categorical", codes, count: codeOf.size };
}

interface Split {
  gain: number;
  /** Runs whose key is at most `cut` go left. */
  cut: number;
  keyOf: (i: number) => number;
}

/**
 * A tree grown on one bootstrap sample: runs appear once with a weight (how often they were
 * drawn), so a node's squared error and its splits are those of the sample with its repeats.
 */
class TreeGrower {
  constructor(
    private readonly features: Feature[],
    private readonly y: Float64Array,
    private readonly weight: Float64Array,
    private readonly options: Required<ForestOptions>,
    private readonly gains: number[],
  ) {}

  /** The best cut of `idx` along `keyOf` (keys are small non-negative integers). */
  private bestCut(idx: Int32Array, keyOf: (i: number) => number, n: number): Split | null {
    // Sorting packed (key, run) numbers is a native numeric sort: no comparator calls.
    const packed = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) packed[k] = keyOf(idx[k] as number) * n + (idx[k] as number);
    packed.sort();
    let totalW = 0;
    let totalS = 0;
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k] as number;
      totalW += this.weight[i] as number;
      totalS += (this.weight[i] as number) * (this.y[i] as number);
    }
    const base = (totalS * totalS) / totalW;
    let leftW = 0;
    let leftS = 0;
    let best: Split | null = null;
    for (let k = 0; k < packed.length - 1; k++) {
      const p = packed[k] as number;
      const i = p % n;
      const key = (p - i) / n;
      leftW += this.weight[i] as number;
      leftS += (this.weight[i] as number) * (this.y[i] as number);
      const nextKey = Math.floor((packed[k + 1] as number) / n);
      if (nextKey === key) continue;
      const rightW = totalW - leftW;
      if (leftW < this.options.minLeaf || rightW < this.options.minLeaf) continue;
      const rightS = totalS - leftS;
      // SSE(parent) - SSE(left) - SSE(right), from the weighted sums alone.
      const gain = (leftS * leftS) / leftW + (rightS * rightS) / rightW - base;
      if (best === null || gain > best.gain) best = { gain, cut: key, keyOf };
    }
    return best !== null && best.gain > 1e-12 * Math.max(1, Math.abs(base)) ? best : null;
  }

  private splitOn(feature: Feature, idx: Int32Array): Split | null {
    const n = this.y.length;
    if (feature.kind === "numeric") {
      const rank = feature.rank;
      return this.bestCut(idx, (i) => rank[i] as number, n);
    }
    // Categories ordered by their mean goal in this node: the best binary split of a regression
    // tree is then one of the ordered cuts (Breiman et al.), without trying every subset.
    const sums = new Float64Array(feature.count);
    const weights = new Float64Array(feature.count);
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k] as number;
      const c = feature.codes[i] as number;
      sums[c] = (sums[c] as number) + (this.weight[i] as number) * (this.y[i] as number);
      weights[c] = (weights[c] as number) + (this.weight[i] as number);
    }
    const order = Array.from({ length: feature.count }, (_, c) => c)
      .filter((c) => (weights[c] as number) > 0)
      .sort(
        (a, b) =>
          (sums[a] as number) / (weights[a] as number) - (sums[b] as number) / (weights[b] as number) ||
          a - b,
      );
    const rankOf = new Int32Array(feature.count);
    order.forEach((c, r) => {
      rankOf[c] = r;
    });
    const codes = feature.codes;
    return this.bestCut(idx, (i) => rankOf[codes[i] as number] as number, n);
  }

  grow(idx: Int32Array, depth: number): void {
    if (depth >= this.options.maxDepth) return;
    let nodeW = 0;
    for (let k = 0; k < idx.length; k++) nodeW += this.weight[idx[k] as number] as number;
    if (nodeW < 2 * this.options.minLeaf) return;
    let best: { feature: number; split: Split } | null = null;
    for (let f = 0; f < this.features.length; f++) {
      const split = this.splitOn(this.features[f] as Feature, idx);
      if (split && (best === null || split.gain > best.split.gain)) best = { feature: f, split };
    }
    if (best === null) return;
    const { feature, split } = best;
    this.gains[feature] = (this.gains[feature] as number) + split.gain;
    const left = idx.filter((i) => split.keyOf(i) <= split.cut);
    const right = idx.filter((i) => split.keyOf(i) > split.cut);
    this.grow(left, depth + 1);
    this.grow(right, depth + 1);
  }
}

/**
 * Random-forest importance, as W&B's parameter-importance panel shows it: regression trees on
 * bootstrap samples of the runs predict the goal from the parameters, and each parameter's
 * importance is the share of the squared error its splits remove (mean decrease in impurity),
 * summing to 1 over the parameters. Unlike a correlation it sees a goal best in the middle of a
 * range, a categorical parameter, and interactions. Runs without a finite goal are left out; all
 * zeros when fewer than 4 runs are left or the goal never changes. Deterministic for a seed.
 */
export function forestImportance(
  rows: ImportanceRow[],
  names: string[],
  options: ForestOptions = {},
): Map<string, number> {
  const settings: Required<ForestOptions> = {
    trees: options.trees ?? 100,
    maxDepth: options.maxDepth ?? 8,
    minLeaf: options.minLeaf ?? 2,
    seed: options.seed ?? 0,
  };
  const finite = rows.filter((r) => Number.isFinite(r.goal));
  const zeros = new Map(names.map((n) => [n, 0]));
  if (finite.length < 4 || names.length === 0) return zeros;
  const n = finite.length;
  const y = Float64Array.from(finite, (r) => r.goal);
  const features = names.map((name) => encode(finite, name));
  const gains = names.map(() => 0);
  for (let t = 0; t < settings.trees; t++) {
    const uniform = seededUniform(mixSeed(settings.seed, t));
    const weight = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const i = Math.floor(uniform() * n);
      weight[i] = (weight[i] as number) + 1;
    }
    const drawn = Int32Array.from({ length: n }, (_, i) => i).filter((i) => (weight[i] as number) > 0);
    new TreeGrower(features, y, weight, settings, gains).grow(drawn, 0);
  }
  const total = gains.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return zeros;
  return new Map(names.map((n, i) => [n, (gains[i] as number) / total]));
}
