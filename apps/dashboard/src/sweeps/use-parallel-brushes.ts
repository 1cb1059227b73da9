import type { ECharts } from "echarts/core";
import { useCallback, useEffect, useMemo, useRef } from "react";
import { goalBrushKey, intervalsOfStored, storedOfIntervals } from "./brush-intervals.ts";
import { formatBrushParam, type StoredBrush, type StoredBrushes } from "./brush-url-state.ts";
import { type AxisIntervals, GOAL_AXIS, type ParamAxis } from "./param-axes.ts";

/** Where the axis-brush event says a brush now is: `{parallelAxisId, intervals}`. */
function readBrush(params: unknown): { axis: string; intervals: [number, number][] } | null {
  const p = params as { parallelAxisId?: unknown; intervals?: unknown };
  if (typeof p.parallelAxisId !== "string" || !Array.isArray(p.intervals)) return null;
  const intervals = p.intervals.filter(
    (i): i is [number, number] => Array.isArray(i) && typeof i[0] === "number" && typeof i[1] === "number",
  );
  return { axis: p.parallelAxisId, intervals };
}

const brushText = (brush: StoredBrush | null) => (brush ? formatBrushParam(new Map([["a", brush]])) : "");

/** Categories are brushed by index: a new or reordered category moves every brush on its axis. */
const axesSignature = (axes: readonly ParamAxis[]) =>
  JSON.stringify(axes.map((a) => [a.key, a.scale, a.categories]));

/**
 * The parallel chart's brushes, kept outside it (in the page's URL): `stored` is what the URL
 * holds, `onChange` writes it. A brush dragged in the chart is written as it moves; a stored one
 * the chart does not show (a reload, a shared link, categories that moved) is drawn into it.
 */
export function useParallelBrushes(args: {
  chart: ECharts | null;
  axes: readonly ParamAxis[];
  goalLabel: string;
  stored: StoredBrushes;
  onChange: (next: StoredBrushes) => void;
}): { intervals: AxisIntervals; onBrush: (params: unknown) => void } {
  const { chart, axes, goalLabel, stored, onChange } = args;
  const storedText = formatBrushParam(stored);
  const signature = axesSignature(axes);
  // biome-ignore lint/correctness/useExhaustiveDependencies: storedText and signature stand for stored and axes
  const intervals = useMemo(
    () => intervalsOfStored(stored, axes, goalLabel),
    [storedText, signature, goalLabel],
  );
  const latest = useRef({ axes, goalLabel, stored, onChange });
  latest.current = { axes, goalLabel, stored, onChange };
  // What the chart draws on each axis (by axis id), as stored text: nothing is dispatched to an
  // axis that already shows its brush, so a drag in progress is never redrawn under the pointer.
  const drawn = useRef({ chart: null as ECharts | null, signature: "", byAxis: new Map<string, string>() });

  const onBrush = useCallback((params: unknown) => {
    const brush = readBrush(params);
    if (!brush) return;
    const { axes, goalLabel, stored, onChange } = latest.current;
    const axis = axes.find((a) => a.key === brush.axis) ?? null;
    if (!axis && brush.axis !== GOAL_AXIS) return;
    const next = storedOfIntervals(axis, brush.intervals);
    drawn.current.byAxis.set(brush.axis, brushText(next));
    const key = axis?.key ?? goalBrushKey(goalLabel);
    const updated = new Map(stored);
    if (next) updated.set(key, next);
    else updated.delete(key);
    onChange(updated);
  }, []);

  useEffect(() => {
    if (!chart) return;
    const state = drawn.current;
    if (state.chart !== chart || state.signature !== signature) {
      drawn.current = { chart, signature, byAxis: new Map() };
    }
    const { axes } = latest.current;
    let changed = false;
    for (const axis of [...axes, null]) {
      const id = axis?.key ?? GOAL_AXIS;
      const list = intervals.get(id) ?? [];
      const text = brushText(storedOfIntervals(axis, list));
      if ((drawn.current.byAxis.get(id) ?? "") === text) continue;
      chart.dispatchAction({ type: "axisAreaSelect", parallelAxisId: id, intervals: list }, { silent: true });
      drawn.current.byAxis.set(id, text);
      changed = true;
    }
    // An axis does not redraw its own brush for its own action (ECharts expects it to come from a
    // drag, already drawn): an update redraws every axis from its intervals.
    if (changed) chart.setOption({});
  }, [chart, signature, intervals]);

  return { intervals, onBrush };
}
