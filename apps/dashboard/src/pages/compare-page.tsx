import { useMemo, useState } from "react";
import { ChartControls } from "../charts/chart-controls.tsx";
import type { ChartSettings } from "../charts/metric-chart.tsx";
import { groupMetricsByPrefix } from "../charts/metric-groups.ts";
import { MetricSections } from "../charts/metric-sections.tsx";
import { assignRunColors } from "../charts/run-colors.ts";
import { type CompareState, formatCompareState, parseCompareState } from "../compare/compare-url-state.ts";
import { ConfigDiffTable, SummaryCompareTable } from "../compare/config-diff-table.tsx";
import { RunLegend } from "../compare/run-legend.tsx";
import { useComparedRuns } from "../compare/use-compared-runs.ts";
import { EmptyState, ErrorState, Spinner } from "../components/states.tsx";
import { LiveIndicator } from "../live/use-live-runs.tsx";
import { Link, navigate, useLocation } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";

/** Every selected run overlaid per metric, with the settings in the URL so the view can be shared. */
export function CompareView() {
  const { search } = useLocation();
  const state = parseCompareState(search);
  const update = (changes: Partial<CompareState>) =>
    navigate(`/compare${formatCompareState({ ...state, ...changes })}`, { replace: true });
  const { runs, pending, errors, keys, live } = useComparedRuns(state.runIds);
  const colors = useMemo(() => assignRunColors(state.runIds), [state.runIds]);
  const runNames = useMemo(() => new Map(runs.map((r) => [r.id, r.name])), [runs]);
  const hidden = useMemo(() => new Set(state.hidden), [state.hidden]);
  const settings = useMemo<ChartSettings>(
    () => ({ xAxis: state.xAxis, smoothing: state.smoothing, logScale: state.logScale }),
    [state.xAxis, state.smoothing, state.logScale],
  );
  const [copied, setCopied] = useState(false);
  const needle = state.metricFilter.toLowerCase();
  const sections = useMemo(
    () =>
      groupMetricsByPrefix(
        (keys.data ?? []).map((k) => k.key).filter((k) => k.toLowerCase().includes(needle)),
      ),
    [keys.data, needle],
  );

  if (state.runIds.length === 0) {
    return (
      <div className="page">
        <EmptyState title="Nothing to compare yet">
          <p>
            Pick runs with the checkboxes on a project's <Link href={paths.projects()}>runs table</Link> and
            press Compare.
          </p>
        </EmptyState>
      </div>
    );
  }
  const projects = [...new Set(runs.map((r) => r.project))];
  return (
    <div className="page page-wide compare-page">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link href={paths.projects()}>Projects</Link>
            {projects.map((p) => (
              <span key={p}>
                {" / "}
                <Link href={paths.runs(p)}>{p}</Link>
              </span>
            ))}
          </div>
          <h1>
            Compare <span className="count">{state.runIds.length} runs</span>
          </h1>
        </div>
        <div className="page-actions">
          <LiveIndicator state={live} />
          <button
            type="button"
            className="btn"
            onClick={() => {
              void navigator.clipboard?.writeText(window.location.href).then(() => setCopied(true));
              setTimeout(() => setCopied(false), 1500);
            }}
          >
            {copied ? "Link copied" : "Copy link"}
          </button>
        </div>
      </div>
      {errors.length > 0 && <ErrorState error={errors[0]} title="Some runs could not be loaded" />}
      <div className="toolbar">
        <ChartControls settings={settings} onChange={(next) => update(next)} />
        <input
          type="search"
          className="metric-search"
          aria-label="Filter metrics"
          placeholder="Filter metrics…"
          value={state.metricFilter}
          onChange={(event) => update({ metricFilter: event.target.value })}
        />
      </div>
      <RunLegend
        runIds={state.runIds}
        runNames={runNames}
        colors={colors}
        hidden={hidden}
        onToggle={(id) =>
          update({ hidden: hidden.has(id) ? state.hidden.filter((h) => h !== id) : [...state.hidden, id] })
        }
        onRemove={(id) => update({ runIds: state.runIds.filter((r) => r !== id) })}
      />
      {keys.error ? (
        <ErrorState error={keys.error} retry={() => void keys.refetch()} />
      ) : keys.isPending ? (
        <Spinner label="Loading metrics" />
      ) : sections.length === 0 ? (
        <EmptyState
          title={needle ? "No metric matches the filter" : "These runs have not logged metrics yet"}
        >
          <p>Curves appear here as soon as a run reports its first point.</p>
        </EmptyState>
      ) : (
        <MetricSections
          sections={sections}
          runIds={state.runIds}
          runNames={runNames}
          colors={colors}
          hidden={hidden}
          settings={settings}
          syncKey="compare"
        />
      )}
      {pending ? (
        <Spinner label="Loading runs" />
      ) : (
        runs.length > 0 && (
          <div className="grid-2 compare-tables">
            <ConfigDiffTable runs={runs} colors={colors} />
            <SummaryCompareTable runs={runs} colors={colors} />
          </div>
        )
      )}
    </div>
  );
}
