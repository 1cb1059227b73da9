import { describe, expect, it } from "vitest";
import type { StoredBrush } from "../sweeps/brush-url-state.ts";
import {
  type CompareState,
  DEFAULT_COMPARE_STATE,
  formatCompareState,
  MAX_COMPARE_RUNS,
  parseCompareState,
} from "./compare-url-state.ts";

const A = "0b6f6f7e-1111-4aaa-8bbb-000000000001";
const B = "0b6f6f7e-1111-4aaa-8bbb-000000000002";

describe("compare URL state", () => {
  it("round-trips every setting through the query string", () => {
    const state: CompareState = {
      runIds: [A, B],
      smoothing: 0.85,
      xAxis: "relative",
      logScale: true,
      ignoreOutliers: true,
      hidden: [B],
      metricFilter: "val/",
      groupBy: "config.optimizer.lr",
      zoom: { min: 12.5, max: 600.25 },
      brushes: new Map<string, StoredBrush>([
        ["lr", { kind: "ranges", ranges: [[0.0001, 0.01]] }],
        ["optimizer", { kind: "values", values: ["sgd", "adam w"] }],
      ]),
    };
    const search = formatCompareState(state);
    expect(search).toBe(
      `?runs=${A},${B}&smooth=0.85&x=relative&log=1&outliers=ignore&hide=${B}&metric=val%2F&group=config.optimizer.lr&zoom=12.5,600.25&brush=lr:0.0001~0.01;optimizer%3Dsgd,adam+w`,
    );
    expect(parseCompareState(search)).toEqual(state);
  });

  it("keeps links short by leaving defaults out", () => {
    expect(formatCompareState({ ...DEFAULT_COMPARE_STATE, runIds: [A] })).toBe(`?runs=${A}`);
  });

  it("falls back to defaults for malformed values instead of failing", () => {
    const state = parseCompareState(
      `runs=${A},not-a-run,${A}&smooth=abc&x=banana&log=yes&hide=${B}&zoom=9,2`,
    );
    expect(state).toEqual({ ...DEFAULT_COMPARE_STATE, runIds: [A] });
  });

  it("clamps smoothing into [0, 0.99] and caps the selection at 50 runs", () => {
    expect(parseCompareState("smooth=1.5").smoothing).toBe(0.99);
    expect(parseCompareState("smooth=-2").smoothing).toBe(0);
    expect(parseCompareState("smooth=0").smoothing).toBe(0);
    const many = Array.from(
      { length: 60 },
      (_, i) => `0b6f6f7e-1111-4aaa-8bbb-${String(i).padStart(12, "0")}`,
    ).join(",");
    expect(parseCompareState(`runs=${many}`).runIds).toHaveLength(MAX_COMPARE_RUNS);
  });
});
