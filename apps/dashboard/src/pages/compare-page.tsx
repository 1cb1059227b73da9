import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useAfterFirstChart } from "../charts/first-chart-paint.ts";
import { createHighlightStore, HighlightContext } from "../charts/highlight-store.ts";
import type { ChartSettings } from "../charts/metric-chart.tsx";
import { groupMetricsByPrefix } from "../charts/metric-groups.ts";
import { assignRunColors } from "../charts/run-colors.ts";
import { useUrlZoom } from "../charts/use-url-zoom.ts";
import { type CompareState, formatCompareState, parseCompareState } from "../compare/compare-url-state.ts";
import { ConfigDiffTable, SummaryCompareTable } from "../compare/config-diff-table.tsx";
import { DraftedChartControls, DraftedMetricSections } from "../compare/drafted-smoothing.tsx";
import { GroupControls } from "../compare/group-controls.tsx";
import { ParamPanelsSection } from "../compare/param-panels-section.tsx";
import { groupRunsBy } from "../compare/run-groups.ts";
import { RunLegend } from "../compare/run-legend.tsx";
import { createSmoothingDraft } from "../compare/smoothing-draft.ts";
import { useComparedRuns } from "../compare/use-compared-runs.ts";
import { EmptyState, ErrorState, Spinner } from "../components/states.tsx";
import { LiveIndicator } from "../live/use-live-runs.tsx";
import { Link, navigate, useLocation } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import { runsPageHref } from "../routing/runs-return.ts";
import type { StoredBrushes } from "../sweeps/brush-url-state.ts";

/** Changes the URL's state from what it is now (not from a render's copy, which a timer may outlive). */
function updateCompareUrl(changes: Partial<CompareState>): void {
  const current = parseCompareState(window.location.search);
  navigate(`/compare${formatCompareState({ ...current, ...changes })}`, { replace: true });
}

/** Waits this long after the smoothing slider stops before writing the URL (and history entry). */
const SMOOTHING_URL_DELAY_MS = 250;

/** Every selected run overlaid per metric, with the settings in the URL so the view can be shared. */
export function CompareView() {
  const { search } = useLocation();
  const state = parseCompareState(search);
  const update = updateCompareUrl;
  const { runs, pending, errors, keys, live } = useComparedRuns(state.runIds, {
    runsFirst: state.groupBy !== "",
  });
  const runKey = state.runIds.join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: runKey summarises the ids
  const runIds = useMemo(() => state.runIds, [runKey]);
  const colors = useMemo(() => assignRunColors(runIds), [runIds]);
  const { zoom, setZoom, convert } = useUrlZoom(runIds);
  const runNames = useMemo(() => new Map(runs.map((r) => [r.id, r.name])), [runs]);
  const hiddenKey = state.hidden.join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: hiddenKey summarises the ids
  const hidden = useMemo(() => new Set(state.hidden), [hiddenKey]);
  const [highlight] = useState(createHighlightStore);
  const groups = useMemo(() => groupRunsBy(runs, state.groupBy, hidden), [runs, state.groupBy, hidden]);
  // Groups get colours and names beside the runs', under `group:<label>`.
  const chartColors = useMemo(() => {
    if (!groups) return colors;
    const groupColors = assignRunColors([...groups.keys()].map((label) => `group:${label}`));
    return new Map([...colors, ...groupColors]);
  }, [colors, groups]);
  const chartNames = useMemo(() => {
    if (!groups) return runNames;
    const names = [...groups].map(([label, ids]): [string, string] => [
      `group:${label}`,
      `${label} (${ids.length})`,
    ]);
    return new Map([...runNames, ...names]);
  }, [runNames, groups]);
  // The slider moves at once and the charts follow once per frame, in a background render, without
  // re-rendering this page (see smoothing-draft.ts); the URL is written once the slider rests.
  const [smoothingDraft] = useState(() => createSmoothingDraft());
  const smoothingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(smoothingTimer.current ?? undefined), []);
  const settings = useMemo<ChartSettings>(
    () => ({
      xAxis: state.xAxis,
      smoothing: state.smoothing,
      logScale: state.logScale,
      ignoreOutliers: state.ignoreOutliers,
    }),
    [state.xAxis, state.smoothing, state.logScale, state.ignoreOutliers],
  );
  const onControls = (next: ChartSettings) => {
    if (next.smoothing === (smoothingDraft.now() ?? state.smoothing)) {
      // A zoom is carried to the new x axis (the same points stay in view), or dropped.
      const nextZoom = next.xAxis === state.xAxis ? zoom : convert(zoom, state.xAxis, next.xAxis);
      update({
        xAxis: next.xAxis,
        logScale: next.logScale,
        ignoreOutliers: next.ignoreOutliers,
        zoom: nextZoom,
      });
      return;
    }
    smoothingDraft.set(next.smoothing);
    clearTimeout(smoothingTimer.current ?? undefined);
    smoothingTimer.current = setTimeout(() => {
      update({ smoothing: next.smoothing });
      smoothingDraft.set(null);
    }, SMOOTHING_URL_DELAY_MS);
  };
  const onToggle = useCallback((id: string) => {
    const current = parseCompareState(window.location.search).hidden;
    updateCompareUrl({ hidden: current.includes(id) ? current.filter((h) => h !== id) : [...current, id] });
  }, []);
  const onRemove = useCallback((id: string) => {
    updateCompareUrl({ runIds: parseCompareState(window.location.search).runIds.filter((r) => r !== id) });
  }, []);
  const onBrushes = useCallback((brushes: StoredBrushes) => updateCompareUrl({ brushes }), []);
  const onShowOnly = useCallback((shown: string[] | null) => {
    const { runIds } = parseCompareState(window.location.search);
    updateCompareUrl({ hidden: shown === null ? [] : runIds.filter((id) => !shown.includes(id)) });
  }, []);
  const [copied, setCopied] = useState(false);
  const panelsMayLoad = useAfterFirstChart();
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
                <Link href={runsPageHref(p)}>{p}</Link>
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
        <DraftedChartControls draft={smoothingDraft} settings={settings} onChange={onControls} />
        <input
          type="search"
          className="metric-search"
          aria-label="Filter metrics"
          placeholder="Filter metrics…"
          value={state.metricFilter}
          onChange={(event) => update({ metricFilter: event.target.value })}
        />
      </div>
      <GroupControls
        runs={runs}
        groupBy={state.groupBy}
        onChange={(groupBy) => update({ groupBy })}
        groups={groups}
        colors={chartColors}
      />
      <RunLegend
        runIds={state.runIds}
        runNames={runNames}
        colors={colors}
        hidden={hidden}
        highlight={highlight}
        onToggle={onToggle}
        onRemove={onRemove}
        onShowOnly={onShowOnly}
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
        <HighlightContext.Provider value={highlight}>
          <DraftedMetricSections
            draft={smoothingDraft}
            sections={sections}
            runIds={runIds}
            runNames={chartNames}
            colors={chartColors}
            hidden={hidden}
            settings={settings}
            syncKey="compare"
            groups={groups}
            zoom={zoom}
            onZoom={setZoom}
          />
        </HighlightContext.Provider>
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
      {/* Last on the page: the panels load after the first chart, and push nothing down as they appear. */}
      {!pending && panelsMayLoad && (
        <ParamPanelsSection runs={runs} brushes={state.brushes} onBrushesChange={onBrushes} />
      )}
    </div>
  );
}
