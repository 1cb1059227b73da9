import type { JsonValue } from "@labtrack/schemas";
import type { ImportanceRow } from "./parameter-importance.ts";
import { mixSeed, seededUniform, type Uniform } from "./seeded-random.ts";

export interface ForestOptions {
  /** Trees in the forest (each grown on a bootstrap sample of the runs). */
  trees?: number;
  maxDepth?: number;
  /** Fewest runs in a leaf. */
  minLeaf?: number;
  seed?: number;
}

/**
 * A parameter as the trees read it: numbers as they are (a tree only compares them, so a log scale
 * changes nothing), anything else as a category code. A run without the parameter is its own
 * category, or below every number.
 */
type Feature = { kind: "numeric"; values: number[] } | { kind: "categorical"; codes: number[] };

function encode(rows: ImportanceRow[], name: string): Feature {
  const values: (JsonValue | undefined)[] = rows.map((r) => r.params[name]);
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length > 0 && present.every((v) => typeof v === "number" && Number.isFinite(v))) {
    return { kind: "numeric", values: values.map((v) => (typeof v === "number" ? v : -Infinity)) };
  }
  const codeOf = new Map<string, number>();
  const codes = values.map((v) => {
    const key = JSON.stringify(v ?? null);
    const known = codeOf.get(key);
    if (known !== undefined) return known;
    codeOf.set(key, codeOf.size);
    return codeOf.size - 1;
  });
  return { kind: "categorical", codes };
}

interface Split {
  gain: number;
  left: number[];
  right: number[];
}

/** The split of `idx` along `keyOf` that lowers the squared error most, keeping minLeaf runs a side. */
function bestSplitAlong(
  idx: number[],
  keyOf: (i: number) => number,
  y: number[],
  minLeaf: number,
): Split | null {
  const sorted = [...idx].sort((a, b) => keyOf(a) - keyOf(b));
  const n = sorted.length;
  let total = 0;
  for (const i of sorted) total += y[i] as number;
  let leftSum = 0;
  let best: { gain: number; at: number } | null = null;
  for (let k = 0; k < n - 1; k++) {
    leftSum += y[sorted[k] as number] as number;
    const leftN = k + 1;
    if (leftN < minLeaf || n - leftN < minLeaf) continue;
    if (keyOf(sorted[k] as number) === keyOf(sorted[k + 1] as number)) continue;
    const rightSum = total - leftSum;
    // SSE(parent) - SSE(left) - SSE(right), from the sums alone.
    const gain = (leftSum * leftSum) / leftN + (rightSum * rightSum) / (n - leftN) - (total * total) / n;
    if (best === null || gain > best.gain) best = { gain, at: k + 1 };
  }
  if (best === null || best.gain <= 1e-12) return null;
  return { gain: best.gain, left: sorted.slice(0, best.at), right: sorted.slice(best.at) };
}

function bestSplit(feature: Feature, idx: number[], y: number[], minLeaf: number): Split | null {
  if (feature.kind === "numeric") {
    return bestSplitAlong(idx, (i) => feature.values[i] as number, y, minLeaf);
  }
  // Categories ordered by their mean goal in this node: the best binary split of a regression tree
  // is then one of the ordered cuts (Breiman et al.), without trying every subset.
  const sums = new Map<number, { sum: number; n: number }>();
  for (const i of idx) {
    const code = feature.codes[i] as number;
    const s = sums.get(code) ?? { sum: 0, n: 0 };
    s.sum += y[i] as number;
    s.n += 1;
    sums.set(code, s);
  }
  const rank = new Map(
    [...sums.entries()]
      .sort((a, b) => a[1].sum / a[1].n - b[1].sum / b[1].n || a[0] - b[0])
      .map(([c], r) => [c, r]),
  );
  return bestSplitAlong(idx, (i) => rank.get(feature.codes[i] as number) as number, y, minLeaf);
}

function growTree(
  features: Feature[],
  idx: number[],
  y: number[],
  depth: number,
  options: Required<ForestOptions>,
  gains: number[],
): void {
  if (depth >= options.maxDepth || idx.length < 2 * options.minLeaf) return;
  let best: { feature: number; split: Split } | null = null;
  features.forEach((feature, f) => {
    const split = bestSplit(feature, idx, y, options.minLeaf);
    if (split && (best === null || split.gain > best.split.gain)) best = { feature: f, split };
  });
  if (best === null) return;
  const { feature, split } = best as { feature: number; split: Split };
  gains[feature] = (gains[feature] as number) + split.gain;
  growTree(features, split.left, y, depth + 1, options, gains);
  growTree(features, split.right, y, depth + 1, options, gains);
}

function bootstrap(n: number, uniform: Uniform): number[] {
  return Array.from({ length: n }, () => Math.floor(uniform() * n));
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
  const y = finite.map((r) => r.goal);
  const features = names.map((name) => encode(finite, name));
  const gains = names.map(() => 0);
  for (let t = 0; t < settings.trees; t++) {
    const uniform = seededUniform(mixSeed(settings.seed, t));
    growTree(features, bootstrap(finite.length, uniform), y, 0, settings, gains);
  }
  const total = gains.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return zeros;
  return new Map(names.map((n, i) => [n, (gains[i] as number) / total]));
}
