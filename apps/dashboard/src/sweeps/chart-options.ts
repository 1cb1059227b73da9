import type { ChartTheme } from "../charts/chart-theme.ts";
import { formatMetric } from "../charts/format-number.ts";
import type { EChartOption } from "./echart.tsx";
import { clampToAxis, type GoalAxisRange } from "./goal-range.ts";
import { axisValue, GOAL_AXIS, type ParamAxis, type ParamRow } from "./param-axes.ts";

export type GoalDirection = "minimize" | "maximize";

/** Cool (worse) to warm (better), readable on both themes; lines are coloured by their goal. */
const GOAL_COLORS = ["#4f6bed", "#22a6b3", "#7dc95e", "#f2c12e", "#f2762e"];

const axisType = (axis: ParamAxis) =>
  axis.scale === "category" ? "category" : axis.scale === "log" ? "log" : "value";

function finiteGoals(rows: readonly ParamRow[]): number[] {
  return rows.flatMap((r) => (r.goal !== null && Number.isFinite(r.goal) ? [r.goal] : []));
}

/** Room for an axis name above its axis, from the chart's width and the number of axes. */
export function axisNameWidth(width: number, axes: number): number {
  return Math.max(56, Math.min(180, Math.floor((width - 160) / Math.max(1, axes)) - 8));
}

/** A value as an axis label: categories as they are, numbers compact (1e-5, 0.0316, 128). */
export function tick(value: string | number): string {
  if (typeof value !== "number") return String(value);
  return formatMetric(value).replace(/^(-?\d)\.0+e/, "$1e");
}

/** The goal axis's ends and step, its end labels marked ≤ / ≥ where goals beyond them are drawn there. */
function goalAxisScale(range: GoalAxisRange) {
  const near = (a: number, b: number) => Math.abs(a - b) <= range.step * 1e-6;
  return {
    min: range.min,
    max: range.max,
    interval: range.step,
    formatter: (value: number) =>
      range.above > 0 && near(value, range.max)
        ? `≥ ${tick(value)}`
        : range.below > 0 && near(value, range.min)
          ? `≤ ${tick(value)}`
          : tick(value),
  };
}

/** A pruned run's line: dashed and faint, under the finished runs'. */
const PRUNED_LINE = { type: "dashed" as const, opacity: 0.45, width: 1.2 };

/**
 * Parallel coordinates: an axis per parameter (categorical, log or linear) and the goal last, a
 * line per run coloured by its goal; dragging along an axis brushes a range there.
 */
export function parallelOption(args: {
  axes: readonly ParamAxis[];
  rows: readonly ParamRow[];
  goalLabel: string;
  direction: GoalDirection;
  theme: ChartTheme;
  width: number;
  /** The panel's colour: tick labels are outlined with it, so lines crossing them do not hide them. */
  background: string;
  goalRange: GoalAxisRange;
}): EChartOption {
  const { axes, rows, goalLabel, direction, theme, width, background, goalRange } = args;
  const { formatter, ...goalScale } = goalAxisScale(goalRange);
  // Colours span the goals of the runs that were not pruned (a pruned run's goal is from a curve cut
  // short and would squeeze every other line into one colour); values beyond are clamped.
  const unpruned = finiteGoals(rows.filter((r) => !r.pruned));
  const goals = unpruned.length > 1 ? unpruned : finiteGoals(rows);
  const low = goals.length ? Math.min(...goals) : 0;
  const high = goals.length ? Math.max(...goals) : 1;
  const clamp = (v: number) => Math.min(high, Math.max(low, v));
  const nameWidth = axisNameWidth(width, axes.length + 1);
  const common = {
    nameLocation: "end" as const,
    nameGap: 14,
    axisLine: { lineStyle: { color: theme.axis } },
    axisTick: { lineStyle: { color: theme.axis } },
    axisLabel: {
      color: theme.text,
      fontSize: 10,
      formatter: tick,
      hideOverlap: true,
      textBorderColor: background,
      textBorderWidth: 3,
    },
    nameTextStyle: {
      color: theme.text,
      fontSize: 11,
      width: nameWidth,
      overflow: "truncate" as const,
      textBorderColor: background,
      textBorderWidth: 3,
    },
    splitLine: { show: false },
  };
  return {
    animation: false,
    parallel: { left: 56, right: 120, top: 44, bottom: 24 },
    parallelAxis: [
      ...axes.map((axis, dim) => ({
        ...common,
        dim,
        id: axis.key,
        name: axis.key,
        type: axisType(axis),
        ...(axis.scale === "category" ? { data: axis.categories } : { scale: true }),
      })),
      {
        ...common,
        dim: axes.length,
        id: GOAL_AXIS,
        name: `${goalLabel} ${direction === "minimize" ? "↓" : "↑"}`,
        type: "value" as const,
        ...goalScale,
        axisLabel: { ...common.axisLabel, formatter, showMinLabel: true, showMaxLabel: true },
        nameTextStyle: { ...common.nameTextStyle, fontWeight: "bold" as const, color: theme.axis },
      },
    ],
    visualMap: {
      type: "continuous",
      // The data's extra dimension after the goal: the goal clamped to the colour range.
      dimension: axes.length + 1,
      min: low,
      max: high,
      inRange: { color: direction === "minimize" ? [...GOAL_COLORS].reverse() : GOAL_COLORS },
      right: 8,
      top: "middle",
      itemHeight: 140,
      itemWidth: 12,
      calculable: false,
      precision: 3,
      text: [direction === "minimize" ? "worse" : "better", direction === "minimize" ? "better" : "worse"],
      textStyle: { color: theme.text, fontSize: 10 },
      formatter: (value: unknown) => formatMetric(Number(value)),
    },
    series: [
      {
        type: "parallel",
        inactiveOpacity: 0.05,
        activeOpacity: 1,
        smooth: false,
        lineStyle: { width: 1.6, opacity: 0.7 },
        emphasis: { disabled: true },
        data: rows.map((r) => ({
          name: r.name,
          ...(r.pruned ? { lineStyle: PRUNED_LINE } : {}),
          value: [
            ...axes.map((axis) => {
              const v = axisValue(axis, r.params[axis.key]);
              return v === null ? "-" : axis.scale === "category" ? (axis.categories[v] as string) : v;
            }),
            r.goal === null ? "-" : clampToAxis(goalRange, r.goal),
            r.goal === null ? "-" : clamp(r.goal),
          ],
        })),
      },
    ],
  } as EChartOption;
}

const SELECTED_POINT = "#3b82f6";

/** A point's mark: pruned runs hollow, a goal beyond the axis a triangle at its end, pointing out. */
function pointShape(r: ParamRow, range: GoalAxisRange) {
  const goal = r.goal as number;
  const beyond = goal > range.max ? "above" : goal < range.min ? "below" : null;
  return {
    ...(beyond ? { symbol: "triangle", symbolRotate: beyond === "above" ? 0 : 180, symbolSize: 11 } : {}),
    pruned: r.pruned === true,
  };
}

/** One parameter against the goal; brushed runs stand out, the others fade; pruned runs are hollow. */
export function scatterOption(args: {
  axis: ParamAxis;
  rows: readonly ParamRow[];
  selected: ReadonlySet<string> | null;
  goalLabel: string;
  theme: ChartTheme;
  goalRange: GoalAxisRange;
}): EChartOption {
  const { axis, rows, selected, goalLabel, theme, goalRange } = args;
  const { formatter, ...goalScale } = goalAxisScale(goalRange);
  const points = rows.flatMap((r) => {
    const v = axisValue(axis, r.params[axis.key]);
    if (v === null || r.goal === null) return [];
    const x = axis.scale === "category" ? (axis.categories[v] as string) : v;
    const on = selected === null || selected.has(r.runId);
    const y = clampToAxis(goalRange, r.goal);
    return [{ value: [x, y], goal: r.goal, name: r.name, runId: r.runId, on, ...pointShape(r, goalRange) }];
  });
  const axisStyle = {
    nameTextStyle: { color: theme.text, fontSize: 11 },
    axisLine: { lineStyle: { color: theme.axis } },
    axisLabel: { color: theme.text, fontSize: 10, formatter: tick, hideOverlap: true },
    splitLine: { lineStyle: { color: theme.grid } },
  };
  return {
    animation: false,
    grid: { left: 64, right: 24, top: 24, bottom: 48 },
    tooltip: {
      trigger: "item",
      formatter: (p: unknown) => {
        const d = (p as { data: { name: string; value: [string | number]; goal: number; pruned: boolean } })
          .data;
        const name = `${escapeHtml(d.name)}${d.pruned ? " (pruned)" : ""}`;
        return `${name}<br/>${escapeHtml(axis.key)}: ${escapeHtml(tick(d.value[0]))}<br/>${escapeHtml(goalLabel)}: ${formatMetric(d.goal)}`;
      },
    },
    xAxis: {
      ...axisStyle,
      type: axisType(axis),
      name: axis.key,
      nameLocation: "middle",
      nameGap: 30,
      ...(axis.scale === "category" ? { data: axis.categories } : { scale: true }),
    },
    yAxis: {
      ...axisStyle,
      ...goalScale,
      axisLabel: { ...axisStyle.axisLabel, formatter, showMinLabel: true, showMaxLabel: true },
      type: "value",
      name: goalLabel,
      nameLocation: "end",
    },
    series: [
      {
        type: "scatter",
        symbolSize: 9,
        data: points.map((p) => {
          const color = p.on ? SELECTED_POINT : theme.text;
          return {
            ...p,
            itemStyle: p.pruned
              ? { color: "transparent", borderColor: color, borderWidth: 1.5, opacity: p.on ? 0.9 : 0.3 }
              : {
                  color,
                  opacity: p.on ? 0.85 : 0.2,
                  borderColor: p.on ? "#ffffff" : "transparent",
                  borderWidth: p.on ? 0.5 : 0,
                },
          };
        }),
      },
    ],
  } as EChartOption;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
