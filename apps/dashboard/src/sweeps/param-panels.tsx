import type { ECharts } from "echarts/core";
import { useMemo, useState } from "react";
import { formatMetric } from "../charts/format-number.ts";
import { MAX_COMPARE_RUNS } from "../compare/compare-url-state.ts";
import { Link } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import type { StoredBrushes } from "./brush-url-state.ts";
import { type GoalDirection, parallelOption, scatterOption } from "./chart-options.ts";
import { EChart } from "./echart.tsx";
import { clampToAxis, goalAxisRange } from "./goal-range.ts";
import { importanceEntries } from "./importance-rows.ts";
import { ImportanceTable } from "./importance-table.tsx";
import { type AxisHint, buildParamAxes, type ParamRow, rowsInIntervals } from "./param-axes.ts";
import { useChartColors } from "./use-chart-colors.ts";
import { useElementWidth } from "./use-element-width.ts";
import { parallelGoalAxis, scatterGoalAxis, useGoalRangeAttribute } from "./use-goal-range-attribute.ts";
import { useParallelBrushes } from "./use-parallel-brushes.ts";

export interface ParamPanelsProps {
  rows: readonly ParamRow[];
  /** The parameters (config keys) to draw, in axis order. */
  keys: readonly string[];
  hints?: Record<string, AxisHint>;
  goalLabel: string;
  direction: GoalDirection;
  /** The brushes, as the page's URL keeps them, and how to write them there. */
  brushes: StoredBrushes;
  onBrushesChange: (next: StoredBrushes) => void;
}

/**
 * Parallel coordinates of every parameter and the goal (brushing an axis filters the runs, listed
 * below with a link to Compare them), a scatter of one parameter against the goal, and each
 * parameter's importance and correlation. Used by the sweep page and the Compare page.
 */
export default function ParamPanels(props: ParamPanelsProps) {
  const { rows, keys, hints, goalLabel, direction, brushes, onBrushesChange } = props;
  const theme = useChartColors();
  const { background } = theme;
  const withGoal = useMemo(() => rows.filter((r) => r.goal !== null && Number.isFinite(r.goal)), [rows]);
  const axes = useMemo(() => buildParamAxes(withGoal, keys, hints), [withGoal, keys, hints]);
  const [chart, setChart] = useState<ECharts | null>(null);
  const { intervals, onBrush } = useParallelBrushes({
    chart,
    axes,
    goalLabel,
    stored: brushes,
    onChange: onBrushesChange,
  });
  const [brushGeneration, setBrushGeneration] = useState(0);
  const [includePruned, setIncludePruned] = useState(false);
  const goalRange = useMemo(() => goalAxisRange(withGoal, includePruned), [withGoal, includePruned]);
  const brushed = useMemo(
    () => rowsInIntervals(withGoal, axes, intervals, (goal) => clampToAxis(goalRange, goal)),
    [withGoal, axes, intervals, goalRange],
  );
  const anyBrush = [...intervals.values()].some((list) => list.length > 0);
  const selected = useMemo(
    () => (anyBrush ? new Set(brushed.map((r) => r.runId)) : null),
    [anyBrush, brushed],
  );
  const [containerRef, width] = useElementWidth<HTMLDivElement>();
  // Pruned runs' goals come from curves cut short: they would teach the forest the pruning, not the goal.
  const judged = useMemo(() => withGoal.filter((r) => !r.pruned), [withGoal]);
  const importance = useMemo(() => importanceEntries(judged, axes), [judged, axes]);
  const [scatterKey, setScatterKey] = useState<string | null>(null);
  const scatterAxis =
    axes.find((a) => a.key === scatterKey) ?? axes.find((a) => a.key === importance[0]?.key) ?? axes[0];

  const parallel = useMemo(
    () => parallelOption({ axes, rows: withGoal, goalLabel, direction, theme, width, background, goalRange }),
    [axes, withGoal, goalLabel, direction, theme, width, background, goalRange],
  );
  const scatter = useMemo(
    () =>
      scatterAxis
        ? scatterOption({ axis: scatterAxis, rows: withGoal, selected, goalLabel, theme, goalRange })
        : null,
    [scatterAxis, withGoal, selected, goalLabel, theme, goalRange],
  );
  const [scatterChart, setScatterChart] = useState<ECharts | null>(null);
  useGoalRangeAttribute(chart, parallel, parallelGoalAxis);
  useGoalRangeAttribute(scatterChart, scatter, scatterGoalAxis);
  const parallelEvents = useMemo(() => ({ axisareaselected: onBrush }), [onBrush]);
  const clear = () => {
    onBrushesChange(new Map());
    setBrushGeneration((g) => g + 1);
  };

  if (keys.length === 0 || withGoal.length === 0) {
    return (
      <p className="muted small">
        {keys.length === 0
          ? "No parameters to draw: these runs share every config value."
          : `No run has a value of ${goalLabel} yet; the panels fill in as runs report it.`}
      </p>
    );
  }
  const shown = brushed.slice(0, 60);
  const compareIds = brushed.slice(0, MAX_COMPARE_RUNS).map((r) => r.runId);
  return (
    <div className="param-panels" ref={containerRef}>
      <section className="panel" aria-labelledby="parallel-title">
        <div className="panel-head">
          <h2 id="parallel-title">Parallel coordinates</h2>
          <span className="muted small">
            Drag along an axis to keep the runs in that range; click an axis to clear it.
          </span>
        </div>
        {goalRange.pruned > 0 && (
          <PrunedNote range={goalRange} include={includePruned} onInclude={setIncludePruned} />
        )}
        <EChart
          key={brushGeneration}
          option={parallel}
          height={380}
          events={parallelEvents}
          replaceMerge={["series"]}
          onChart={setChart}
          className="echart"
          aria-label={`Parallel coordinates of ${keys.length} parameters and ${goalLabel}`}
        />
        <div className="brush-summary" data-testid="brush-summary">
          <strong data-testid="brushed-count">
            {anyBrush ? `${brushed.length} of ${withGoal.length} runs` : `${withGoal.length} runs`}
          </strong>{" "}
          <span className="muted small">{anyBrush ? "in the brushed ranges" : "with a goal value"}</span>
          {anyBrush && (
            <button type="button" className="btn btn-small" onClick={clear}>
              Clear brushes
            </button>
          )}
          {brushed.length > 0 && (
            <Link className="btn btn-small" href={paths.compare(compareIds)}>
              Compare {brushed.length > MAX_COMPARE_RUNS ? `the first ${MAX_COMPARE_RUNS}` : "these"}
            </Link>
          )}
        </div>
        {anyBrush && (
          <ul className="brushed-runs" aria-label="Runs in the brushed ranges">
            {shown.map((r) => (
              <li key={r.runId}>
                <Link href={paths.run(r.runId)}>{r.name}</Link>{" "}
                <span className="muted small">{formatMetric(r.goal)}</span>
              </li>
            ))}
            {brushed.length > shown.length && (
              <li className="muted small">and {brushed.length - shown.length} more</li>
            )}
          </ul>
        )}
      </section>
      <div className="grid-2 param-panels-row">
        <section className="panel" aria-labelledby="scatter-title">
          <div className="panel-head">
            <h2 id="scatter-title">Parameter vs {goalLabel}</h2>
            <label className="inline-field">
              <span>parameter</span>
              <select
                aria-label="Scatter parameter"
                value={scatterAxis?.key ?? ""}
                onChange={(e) => setScatterKey(e.target.value)}
              >
                {axes.map((a) => (
                  <option key={a.key} value={a.key}>
                    {a.key}
                    {a.scale === "log" ? " (log)" : ""}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {scatter && (
            <EChart
              option={scatter}
              height={300}
              replaceMerge={["series", "xAxis"]}
              onChart={setScatterChart}
              className="echart"
              aria-label={`${scatterAxis?.key} against ${goalLabel}`}
            />
          )}
        </section>
        <section className="panel" aria-labelledby="importance-title">
          <div className="panel-head">
            <h2 id="importance-title">Parameter importance</h2>
            <span className="muted small">
              for {goalLabel}, over {judged.length} runs
              {judged.length < withGoal.length ? " (pruned runs left out)" : ""}
            </span>
          </div>
          <ImportanceTable entries={importance} />
        </section>
      </div>
    </div>
  );
}

/** How many pruned runs are drawn and how, with the choice to widen the goal axis to them. */
function PrunedNote(props: {
  range: ReturnType<typeof goalAxisRange>;
  include: boolean;
  onInclude: (include: boolean) => void;
}) {
  const { range, include, onInclude } = props;
  const beyond = range.above + range.below;
  const runs = range.pruned === 1 ? "1 pruned run" : `${range.pruned} pruned runs`;
  return (
    <div className="pruned-note small" data-testid="pruned-note">
      <span className="muted">
        {runs} drawn dashed (hollow in the scatter)
        {range.unprunedOnly
          ? `; the goal axis spans the others${beyond > 0 ? `, ${beyond} beyond it drawn at its end (≤ / ≥)` : ""}.`
          : "."}
      </span>{" "}
      <label className="inline-field">
        <input type="checkbox" checked={include} onChange={(e) => onInclude(e.target.checked)} />
        <span>Include pruned runs in the goal range</span>
      </label>
    </div>
  );
}
