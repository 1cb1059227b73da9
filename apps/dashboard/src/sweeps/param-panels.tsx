import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { formatMetric } from "../charts/format-number.ts";
import { MAX_COMPARE_RUNS } from "../compare/compare-url-state.ts";
import { Link } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import { type GoalDirection, parallelOption, scatterOption } from "./chart-options.ts";
import { EChart } from "./echart.tsx";
import { importanceEntries } from "./importance-rows.ts";
import {
  type AxisHint,
  type AxisIntervals,
  buildParamAxes,
  type ParamRow,
  rowsInIntervals,
} from "./param-axes.ts";
import { useChartColors } from "./use-chart-colors.ts";

export interface ParamPanelsProps {
  rows: readonly ParamRow[];
  /** The parameters (config keys) to draw, in axis order. */
  keys: readonly string[];
  hints?: Record<string, AxisHint>;
  goalLabel: string;
  direction: GoalDirection;
}

function useElementWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(1200);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() => {
      // Steps of 40 px: names are re-truncated when the width changes a lot, not on every pixel.
      setWidth(Math.round(element.clientWidth / 40) * 40);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** Where the axis-brush event says a brush now is: `{parallelAxisId, intervals}`. */
function readBrush(params: unknown): { axis: string; intervals: [number, number][] } | null {
  const p = params as { parallelAxisId?: unknown; intervals?: unknown };
  if (typeof p.parallelAxisId !== "string" || !Array.isArray(p.intervals)) return null;
  const intervals = p.intervals.filter(
    (i): i is [number, number] => Array.isArray(i) && typeof i[0] === "number" && typeof i[1] === "number",
  );
  return { axis: p.parallelAxisId, intervals };
}

/**
 * Parallel coordinates of every parameter and the goal (brushing an axis filters the runs, listed
 * below with a link to Compare them), a scatter of one parameter against the goal, and each
 * parameter's importance and correlation. Used by the sweep page and the Compare page.
 */
export default function ParamPanels({ rows, keys, hints, goalLabel, direction }: ParamPanelsProps) {
  const theme = useChartColors();
  const { background } = theme;
  const withGoal = useMemo(() => rows.filter((r) => r.goal !== null && Number.isFinite(r.goal)), [rows]);
  const axes = useMemo(() => buildParamAxes(withGoal, keys, hints), [withGoal, keys, hints]);
  const [intervals, setIntervals] = useState<AxisIntervals>(new Map());
  const [brushGeneration, setBrushGeneration] = useState(0);
  const brushed = useMemo(() => rowsInIntervals(withGoal, axes, intervals), [withGoal, axes, intervals]);
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
    () => parallelOption({ axes, rows: withGoal, goalLabel, direction, theme, width, background }),
    [axes, withGoal, goalLabel, direction, theme, width, background],
  );
  const scatter = useMemo(
    () =>
      scatterAxis ? scatterOption({ axis: scatterAxis, rows: withGoal, selected, goalLabel, theme }) : null,
    [scatterAxis, withGoal, selected, goalLabel, theme],
  );
  const onBrush = useCallback((params: unknown) => {
    const brush = readBrush(params);
    if (!brush) return;
    setIntervals((current) => new Map(current).set(brush.axis, brush.intervals));
  }, []);
  const parallelEvents = useMemo(() => ({ axisareaselected: onBrush }), [onBrush]);
  const clear = () => {
    setIntervals(new Map());
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
        <EChart
          key={brushGeneration}
          option={parallel}
          height={380}
          events={parallelEvents}
          replaceMerge={["series"]}
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

function ImportanceTable({ entries }: { entries: ReturnType<typeof importanceEntries> }) {
  return (
    <table className="kv-table importance-table">
      <thead>
        <tr>
          <th scope="col">parameter</th>
          <th
            scope="col"
            title="Random forest: the share of the goal's variance its splits on this parameter remove"
          >
            importance
          </th>
          <th scope="col" title="Pearson correlation with the goal (of log10 for log-scale parameters)">
            correlation
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.key}>
            <td className="mono">{e.key}</td>
            <td>
              <span className="bar-cell">
                <span className="bar" style={{ width: `${Math.round(e.importance * 100)}%` }} />
                <span className="bar-value">{e.importance.toFixed(2)}</span>
              </span>
            </td>
            <td>
              {e.correlation === null ? (
                <span className="muted">–</span>
              ) : (
                <span className="bar-cell signed">
                  <span
                    className={e.correlation < 0 ? "bar bar-negative" : "bar bar-positive"}
                    style={{
                      width: `${Math.round(Math.abs(e.correlation) * 50)}%`,
                      marginLeft:
                        e.correlation < 0 ? `${50 - Math.round(Math.abs(e.correlation) * 50)}%` : "50%",
                    }}
                  />
                  <span className="bar-value">{e.correlation.toFixed(2)}</span>
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
