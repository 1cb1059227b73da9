import { bestRun, goalOverRuns } from "@labtrack/core";
import type { SweepRunEntry } from "@labtrack/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { formatConfigValue, formatMetric, formatRelativeTime } from "../charts/format-number.ts";
import { MAX_COMPARE_RUNS } from "../compare/compare-url-state.ts";
import { ErrorState, Spinner } from "../components/states.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { LiveIndicator } from "../live/use-live-runs.tsx";
import { Link, replaceQueryParam, useLocation } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import {
  BRUSH_PARAM,
  formatBrushParam,
  parseBrushParam,
  type StoredBrushes,
} from "../sweeps/brush-url-state.ts";
import { EChart } from "../sweeps/echart.tsx";
import { goalOverRunsOption } from "../sweeps/goal-over-runs-option.ts";
import { type ParamRow, sweepAxisHints } from "../sweeps/param-axes.ts";
import ParamPanels from "../sweeps/param-panels.tsx";
import { SweepProgressBar } from "../sweeps/sweep-progress.tsx";
import { useChartColors } from "../sweeps/use-chart-colors.ts";
import { useSweep } from "../sweeps/use-sweep.ts";

type Control = "pause" | "resume" | "cancel";

function SweepControls({ sweepId, status }: { sweepId: string; status: string }) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const control = useMutation({
    mutationFn: (action: Control) => client.sweeps[action].mutate({ sweepId }),
    onSuccess: (sweep) => {
      queryClient.setQueryData(["sweeps.get", sweepId], sweep);
      void queryClient.invalidateQueries({ queryKey: ["sweeps.list"] });
      setConfirming(false);
    },
  });
  const open = status === "running" || status === "paused";
  return (
    <>
      {status === "running" && (
        <button
          type="button"
          className="btn"
          disabled={control.isPending}
          onClick={() => control.mutate("pause")}
        >
          Pause
        </button>
      )}
      {status === "paused" && (
        <button
          type="button"
          className="btn"
          disabled={control.isPending}
          onClick={() => control.mutate("resume")}
        >
          Resume
        </button>
      )}
      {open &&
        (confirming ? (
          <fieldset className="confirm" aria-label="Confirm cancel">
            <span className="small">Cancel the sweep and its queued and running runs?</span>
            <button
              type="button"
              className="btn btn-danger btn-small"
              disabled={control.isPending}
              onClick={() => control.mutate("cancel")}
            >
              Yes, cancel
            </button>
            <button type="button" className="btn btn-small" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </fieldset>
        ) : (
          <button type="button" className="btn btn-ghost" onClick={() => setConfirming(true)}>
            Cancel sweep
          </button>
        ))}
      {control.error && (
        <span className="field-error" role="alert">
          {errorMessage(control.error)}
        </span>
      )}
    </>
  );
}

function BestRun({ run, goalLabel }: { run: SweepRunEntry | null; goalLabel: string }) {
  if (!run) return <p className="muted small">No run has finished with a value of {goalLabel} yet.</p>;
  return (
    <div className="best-run" data-testid="best-run">
      <p>
        <Link href={paths.run(run.runId)} className="run-name">
          {run.name}
        </Link>{" "}
        <span className="muted small">
          {goalLabel} = <strong className="mono">{formatMetric(run.goal)}</strong>
        </span>
      </p>
      <table className="kv-table">
        <tbody>
          {Object.entries(run.params)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, value]) => (
              <tr key={key}>
                <th scope="row" className="mono">
                  {key}
                </th>
                <td className="mono">{formatConfigValue(value)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}

/** A sweep: its state and controls, progress, best run, goal over runs, and the parameter panels. */
export function SweepPage({ project, sweepId }: { project: string; sweepId: string }) {
  const { sweep, live } = useSweep(project, sweepId);
  const theme = useChartColors();
  const brushText = useLocation().search.get(BRUSH_PARAM);
  const brushes = useMemo(() => parseBrushParam(brushText), [brushText]);
  // Replaced, not pushed: a drag writes the URL as it moves, and Back leaves the page.
  const onBrushes = useCallback(
    (next: StoredBrushes) => replaceQueryParam(BRUSH_PARAM, formatBrushParam(next)),
    [],
  );
  const data = sweep.data;
  const metric = data?.config.metric;
  const goalLabel = metric ? `${metric.name} (${metric.summary})` : "goal";
  const runs = data?.runs;
  const best = useMemo(() => (runs && metric ? bestRun(runs, metric.goal) : null), [runs, metric]);
  const goalOption = useMemo(() => {
    if (!runs || !metric) return null;
    const names = new Map(runs.map((r) => [r.runId, r.name]));
    const points = goalOverRuns(runs, metric.goal).map((p) => ({
      ...p,
      name: names.get(p.runId) ?? p.runId,
    }));
    return goalOverRunsOption({
      points,
      goalLabel,
      theme,
      colors: { finished: "#3b82f6", pruned: "#9aa3b2", best: "#f5a524" },
    });
  }, [runs, metric, goalLabel, theme]);
  const parameters = data?.config.parameters;
  const hints = useMemo(() => (parameters ? sweepAxisHints(parameters) : {}), [parameters]);
  // A constant (`value:`) is the same on every run: no axis for it. Axes by name: the stored config
  // comes back in jsonb key order, not the order the file listed them in.
  const keys = useMemo(
    () =>
      Object.entries(parameters ?? {})
        .flatMap(([key, p]) => (p.value !== undefined ? [] : [key]))
        .sort(),
    [parameters],
  );
  const rows = useMemo<ParamRow[]>(
    () =>
      (runs ?? []).map((r) => ({
        runId: r.runId,
        name: r.name,
        params: r.params,
        goal: r.goal,
        pruned: r.pruned,
      })),
    [runs],
  );

  if (sweep.isPending) return <Spinner label="Loading sweep" />;
  if (sweep.error || !data || !metric) {
    return (
      <div className="page">
        <ErrorState error={sweep.error} title="Could not load the sweep" retry={() => void sweep.refetch()} />
      </div>
    );
  }
  const early = data.config.early_terminate;
  const details: [string, string][] = [
    ["Method", data.method === "bayes" ? "bayes (TPE)" : data.method],
    ["Goal", `${metric.goal} ${metric.name}, its ${metric.summary} value`],
    ["Early termination", early ? `hyperband: min_iter ${early.min_iter}, eta ${early.eta}` : "none"],
    ["Concurrency", String(data.config.concurrency)],
    ["Queue", data.config.queue],
    ["Created", `${new Date(data.createdAt).toLocaleString()} (${formatRelativeTime(data.createdAt)})`],
  ];
  const compareIds = data.runs.slice(0, MAX_COMPARE_RUNS).map((r) => r.runId);
  return (
    <div className="page page-wide sweep-page">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link href={paths.projects()}>Projects</Link> / <Link href={paths.runs(project)}>{project}</Link>{" "}
            / <Link href={paths.sweeps(project)}>Sweeps</Link>
          </div>
          <h1>
            {data.name} <StatusBadge status={data.status} />
          </h1>
        </div>
        <div className="page-actions">
          {(data.status === "running" || data.status === "paused") && <LiveIndicator state={live} />}
          <SweepControls sweepId={sweepId} status={data.status} />
          {compareIds.length > 0 && (
            <Link className="btn" href={paths.compare(compareIds)}>
              Compare {data.runs.length > MAX_COMPARE_RUNS ? `first ${MAX_COMPARE_RUNS}` : "all"}
            </Link>
          )}
        </div>
      </div>
      <SweepProgressBar progress={data.progress} />
      <div className="grid-2 sweep-top">
        <section className="panel" aria-labelledby="best-title">
          <div className="panel-head">
            <h2 id="best-title">Best run so far</h2>
          </div>
          <BestRun run={best} goalLabel={goalLabel} />
        </section>
        <section className="panel" aria-labelledby="goal-title">
          <div className="panel-head">
            <h2 id="goal-title">{goalLabel} over runs</h2>
            <span className="muted small">
              <span className="swatch" style={{ background: "#3b82f6" }} /> finished{" "}
              <span className="swatch" style={{ background: "#9aa3b2" }} /> pruned{" "}
              <span className="swatch" style={{ background: "#f5a524" }} /> best so far
            </span>
          </div>
          {goalOption && (
            <EChart
              option={goalOption}
              height={240}
              className="echart"
              aria-label={`${goalLabel} over runs`}
            />
          )}
        </section>
      </div>
      <ParamPanels
        rows={rows}
        keys={keys}
        hints={hints}
        goalLabel={goalLabel}
        direction={metric.goal}
        brushes={brushes}
        onBrushesChange={onBrushes}
      />
      <section className="panel" aria-labelledby="details-title">
        <div className="panel-head">
          <h2 id="details-title">Sweep</h2>
        </div>
        <table className="kv-table">
          <tbody>
            {details.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
