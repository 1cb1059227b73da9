import type uPlot from "uplot";
import type { AlignedSeries, ChartData } from "./chart-data.ts";
import { type GroupCurve, groupCurves, groupLines } from "./group-curves.ts";
import { withAlpha } from "./run-colors.ts";

export interface GroupedChartData extends ChartData {
  curves: GroupCurve[];
}

const onScale = (values: (number | null)[], logScale: boolean) =>
  logScale ? values.map((v) => (v !== null && v > 0 ? v : null)) : values;

/** uPlot columns of grouped curves: x, then per group its mean, min and max (in that order). */
export function buildGroupedChartData(
  aligned: AlignedSeries,
  groups: ReadonlyMap<string, readonly string[]>,
  opts: { smoothing: number; logScale: boolean },
): GroupedChartData {
  const curves = groupCurves(aligned, groups, opts.smoothing);
  const columns: ChartData["columns"] = [aligned.xs];
  for (const curve of curves) {
    columns.push(
      onScale(curve.mean, opts.logScale),
      onScale(curve.min, opts.logScale),
      onScale(curve.max, opts.logScale),
    );
  }
  return { columns, lines: groupLines(curves, (g) => 1 + g * 3), curves };
}

/** Per group a solid mean line and a translucent band between the min and max curves. */
export function groupedSeries(
  curves: readonly GroupCurve[],
  color: (id: string) => string,
): { series: uPlot.Series[]; bands: uPlot.Band[] } {
  const series: uPlot.Series[] = [{}];
  const bands: uPlot.Band[] = [];
  curves.forEach((curve, g) => {
    const stroke = color(curve.id);
    series.push({ stroke, width: 2, spanGaps: true, points: { show: false } });
    const edge = { stroke: withAlpha(stroke, 0.35), width: 0.5, spanGaps: true, points: { show: false } };
    series.push({ ...edge }, { ...edge });
    const mean = 1 + g * 3;
    bands.push({ series: [mean + 2, mean + 1], fill: withAlpha(stroke, 0.16) });
  });
  return { series, bands };
}
