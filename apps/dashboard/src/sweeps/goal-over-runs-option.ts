import type { ChartTheme } from "../charts/chart-theme.ts";
import { formatMetric } from "../charts/format-number.ts";
import { escapeHtml, tick } from "./chart-options.ts";
import type { EChartOption } from "./echart.tsx";

export interface GoalPointView {
  runId: string;
  name: string;
  order: number;
  goal: number;
  pruned: boolean;
  best: number | null;
}

/** The goal of each run in the order they ended, pruned ones marked, with the best-so-far line. */
export function goalOverRunsOption(args: {
  points: readonly GoalPointView[];
  goalLabel: string;
  theme: ChartTheme;
  colors: { finished: string; pruned: string; best: string };
}): EChartOption {
  const { points, goalLabel, theme, colors } = args;
  const axisStyle = {
    nameTextStyle: { color: theme.text, fontSize: 11 },
    axisLine: { lineStyle: { color: theme.axis } },
    axisLabel: { color: theme.text, fontSize: 10, formatter: tick, hideOverlap: true },
    splitLine: { lineStyle: { color: theme.grid } },
  };
  const item = (p: GoalPointView) => ({ value: [p.order, p.goal], name: p.name, runId: p.runId });
  return {
    animation: false,
    grid: { left: 64, right: 24, top: 28, bottom: 44 },
    tooltip: {
      trigger: "item",
      formatter: (p: unknown) => {
        const d = p as { seriesName: string; data: { name?: string; value: [number, number] } };
        const label = d.data.name ? `${escapeHtml(d.data.name)}<br/>` : "";
        return `${label}${escapeHtml(d.seriesName)} · #${d.data.value[0]}: ${formatMetric(d.data.value[1])}`;
      },
    },
    xAxis: {
      ...axisStyle,
      type: "value",
      name: "runs, in the order they ended",
      nameLocation: "middle",
      nameGap: 28,
      min: 0,
      max: Math.max(1, points.length),
      minInterval: 1,
    },
    yAxis: { ...axisStyle, type: "value", name: goalLabel, scale: true },
    series: [
      {
        name: "best so far",
        type: "line",
        step: "end",
        symbol: "none",
        lineStyle: { color: colors.best, width: 2 },
        itemStyle: { color: colors.best },
        data: points.flatMap((p) => (p.best === null ? [] : [[p.order, p.best]])),
        tooltip: { show: false },
      },
      {
        name: "finished",
        type: "scatter",
        symbolSize: 8,
        itemStyle: { color: colors.finished },
        data: points.filter((p) => !p.pruned).map(item),
      },
      {
        name: "pruned",
        type: "scatter",
        symbol: "diamond",
        symbolSize: 8,
        itemStyle: { color: colors.pruned, opacity: 0.8 },
        data: points.filter((p) => p.pruned).map(item),
      },
    ],
  } as EChartOption;
}
