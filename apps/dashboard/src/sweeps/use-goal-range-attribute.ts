import type { ECharts } from "echarts/core";
import { useEffect } from "react";
import { GOAL_AXIS } from "./param-axes.ts";

type AxisOption = { id?: unknown; min?: unknown; max?: unknown };

/**
 * Writes the goal axis's ends as the chart holds them (its merged option) on the chart's element,
 * `data-goal-range="min,max"`, for tests and for a look in the inspector.
 */
export function useGoalRangeAttribute(
  chart: ECharts | null,
  option: unknown,
  pick: (merged: Record<string, unknown>) => AxisOption | undefined,
): void {
  useEffect(() => {
    if (!chart || !option) return;
    const axis = pick(chart.getOption() as Record<string, unknown>);
    const dom = chart.getDom();
    if (typeof axis?.min === "number" && typeof axis.max === "number") {
      dom.dataset.goalRange = `${axis.min},${axis.max}`;
    } else delete dom.dataset.goalRange;
  }, [chart, option, pick]);
}

const axisList = (value: unknown): AxisOption[] => (Array.isArray(value) ? (value as AxisOption[]) : []);

export const parallelGoalAxis = (merged: Record<string, unknown>) =>
  axisList(merged.parallelAxis).find((a) => a.id === GOAL_AXIS);

export const scatterGoalAxis = (merged: Record<string, unknown>) => axisList(merged.yAxis)[0];
