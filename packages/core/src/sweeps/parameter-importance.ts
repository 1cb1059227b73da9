import type { JsonValue } from "@labtrack/schemas";

export type ImportanceRow = { params: Record<string, JsonValue>; goal: number };
export type ParameterImportance = {
  name: string;
  /** Pearson correlation of a numeric parameter with the goal; null for other parameters or too few runs. */
  correlation: number | null;
  /**
   * The correlation ratio eta^2: the share of the goal's variance explained by the parameter's value
   * (by category, or by equal-count bins of a numeric one). It sees non-linear effects a correlation
   * misses: a learning rate best in the middle has a correlation near 0 and a high eta^2.
   */
  importance: number;
};

function pearson(xs: number[], ys: number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

function correlationRatio(groups: number[][]): number {
  const all = groups.flat();
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const total = all.reduce((s, y) => s + (y - mean) ** 2, 0);
  if (total === 0) return 0;
  const between = groups.reduce((s, g) => {
    const m = g.reduce((a, b) => a + b, 0) / g.length;
    return s + g.length * (m - mean) ** 2;
  }, 0);
  return between / total;
}

/** How much each parameter matters to the goal, over the runs that have a finite goal. */
export function parameterImportance(rows: ImportanceRow[], names: string[]): ParameterImportance[] {
  const finite = rows.filter((r) => Number.isFinite(r.goal));
  return names.map((name) => {
    const present = finite.filter((r) => r.params[name] !== undefined && r.params[name] !== null);
    const numeric = present.length > 0 && present.every((r) => typeof r.params[name] === "number");
    if (present.length < 3) return { name, correlation: null, importance: 0 };
    let groups: number[][];
    let correlation: number | null = null;
    if (numeric) {
      const sorted = [...present].sort((a, b) => (a.params[name] as number) - (b.params[name] as number));
      const xs = sorted.map((r) => r.params[name] as number);
      correlation = pearson(
        xs,
        sorted.map((r) => r.goal),
      );
      // Equal-count bins; equal values stay in one bin so that a bin is a value range.
      const bins = Math.max(2, Math.min(10, Math.round(Math.sqrt(sorted.length))));
      const size = Math.ceil(sorted.length / bins);
      groups = [];
      let current: number[] = [];
      sorted.forEach((r, i) => {
        if (current.length >= size && xs[i] !== xs[i - 1]) {
          groups.push(current);
          current = [];
        }
        current.push(r.goal);
      });
      groups.push(current);
    } else {
      const byValue = new Map<string, number[]>();
      for (const r of present) {
        const key = JSON.stringify(r.params[name]);
        byValue.set(key, [...(byValue.get(key) ?? []), r.goal]);
      }
      groups = [...byValue.values()];
    }
    // With one run per group every parameter would explain everything: no evidence.
    const importance = groups.length >= present.length ? 0 : correlationRatio(groups);
    return { name, correlation, importance };
  });
}
