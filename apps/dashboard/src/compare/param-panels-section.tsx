import type { Run } from "@labtrack/schemas";
import { lazy, Suspense, useMemo, useState } from "react";
import { Spinner } from "../components/states.tsx";
import type { StoredBrushes } from "../sweeps/brush-url-state.ts";
import { metricDirection } from "./metric-direction.ts";
import { paramRowsOf, type SummaryStat, varyingConfigKeys } from "./param-rows.ts";

// ECharts comes with the panels, in a chunk of its own: the curves above do not wait for it.
const ParamPanels = lazy(() => import("../sweeps/param-panels.tsx"));

/** The compared runs' differing config keys against a summary metric: parallel coordinates, scatter, importance. */
export function ParamPanelsSection({
  runs,
  brushes,
  onBrushesChange,
}: {
  runs: readonly Run[];
  /** The parallel chart's brushes, kept in Compare's URL. */
  brushes: StoredBrushes;
  onBrushesChange: (next: StoredBrushes) => void;
}) {
  const metrics = useMemo(() => [...new Set(runs.flatMap((r) => Object.keys(r.summary)))].sort(), [runs]);
  const keys = useMemo(() => varyingConfigKeys(runs), [runs]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [stat, setStat] = useState<SummaryStat>("last");
  const metric =
    chosen !== null && metrics.includes(chosen)
      ? chosen
      : (metrics.find((m) => metricDirection(m) !== null) ?? metrics[0] ?? null);
  const direction = metric && metricDirection(metric) === "max" ? "maximize" : "minimize";
  const rows = useMemo(
    () => (metric ? paramRowsOf(runs, keys, metric, stat) : []),
    [runs, keys, metric, stat],
  );
  const [open, setOpen] = useState(true);
  if (runs.length < 2 || !metric) return null;
  return (
    <section className="compare-params" aria-labelledby="compare-params-title">
      <div className="panel-head">
        <h2 id="compare-params-title">
          <button
            type="button"
            className="btn btn-ghost btn-small"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? "▾" : "▸"}
          </button>{" "}
          Parameters against a metric
        </h2>
        <div className="page-actions">
          <label className="inline-field">
            <span>metric</span>
            <select aria-label="Panel metric" value={metric} onChange={(e) => setChosen(e.target.value)}>
              {metrics.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <label className="inline-field">
            <span>value</span>
            <select
              aria-label="Panel metric value"
              value={stat}
              onChange={(e) => setStat(e.target.value as SummaryStat)}
            >
              <option value="last">last</option>
              <option value="min">min</option>
              <option value="max">max</option>
            </select>
          </label>
        </div>
      </div>
      {open && (
        <Suspense fallback={<Spinner label="Loading charts" />}>
          <ParamPanels
            rows={rows}
            keys={keys}
            goalLabel={`${metric} (${stat})`}
            direction={direction}
            brushes={brushes}
            onBrushesChange={onBrushesChange}
          />
        </Suspense>
      )}
    </section>
  );
}
