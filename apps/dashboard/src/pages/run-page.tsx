import { isActiveStatus, isTerminalStatus } from "@labtrack/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { ErrorState, Spinner } from "../components/states.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { LiveIndicator } from "../live/use-live-runs.tsx";
import { Link, navigate } from "../routing/location.tsx";
import { paths, RUN_TABS, type RunTab } from "../routing/routes.ts";
import { runsPageHref } from "../routing/runs-return.ts";
import { parseClassifierResults } from "../run/classifier-results.ts";
import { ClassifierResultsView } from "../run/classifier-results-view.tsx";
import { RunArtifacts } from "../run/run-artifacts.tsx";
import { RunCharts } from "../run/run-charts.tsx";
import { RunEditForm } from "../run/run-edit-form.tsx";
import { RunLogs } from "../run/run-logs.tsx";
import { RunOverview } from "../run/run-overview.tsx";
import { useRunLive } from "../run/use-run-live.ts";

const TAB_LABELS: Record<RunTab, string> = {
  overview: "Overview",
  charts: "Charts",
  logs: "Logs",
  artifacts: "Artifacts",
  results: "Results",
};

export function RunPage({ runId, tab }: { runId: string; tab: RunTab }) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const run = useQuery({ queryKey: ["runs.get", runId], queryFn: () => client.runs.get.query({ runId }) });
  const live = useRunLive(runId);
  const [editing, setEditing] = useState(false);
  const cancel = useMutation({
    mutationFn: () => client.runs.cancel.mutate({ runId, reason: "canceled from the dashboard" }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["runs.get", runId] }),
  });

  if (run.isPending)
    return (
      <div className="page">
        <Spinner label="Loading run" />
      </div>
    );
  if (run.error) {
    return (
      <div className="page">
        <ErrorState error={run.error} title="Could not load this run" retry={() => void run.refetch()} />
      </div>
    );
  }
  const data = run.data;
  const results = parseClassifierResults(data.results);
  const tabs = RUN_TABS.filter((t) => t !== "results" || results !== null || tab === "results");
  const cancellable = data.status === "queued" || data.status === "running";
  return (
    <div className="page page-wide">
      <div className="page-head">
        <div className="min0">
          <div className="crumbs">
            <Link href={paths.projects()}>Projects</Link> /{" "}
            <Link href={runsPageHref(data.project)}>{data.project}</Link> /
          </div>
          <h1 className="run-title">
            <span className="truncate">{data.name}</span> <StatusBadge status={data.status} />
          </h1>
          {data.tags.length > 0 && (
            <div className="tags run-tags" data-testid="run-tags">
              {data.tags.map((t) => (
                <span key={t} className="tag">
                  {t}
                </span>
              ))}
            </div>
          )}
          <div className="muted small mono">{data.id}</div>
        </div>
        <div className="page-actions">
          {isActiveStatus(data.status) && <LiveIndicator state={live} />}
          <button type="button" className="btn" aria-expanded={editing} onClick={() => setEditing(!editing)}>
            Edit
          </button>
          <button type="button" className="btn" onClick={() => navigate(paths.compare([data.id]))}>
            Open in Compare
          </button>
          {data.spec !== null && (
            <button
              type="button"
              className="btn"
              onClick={() => navigate(`${paths.queue()}?clone=${data.id}`)}
            >
              Clone and edit
            </button>
          )}
          {cancellable && (
            <button
              type="button"
              className="btn btn-danger"
              disabled={cancel.isPending}
              onClick={() => cancel.mutate()}
            >
              {cancel.isPending ? "Canceling…" : "Cancel run"}
            </button>
          )}
        </div>
      </div>
      {cancel.error && (
        <p className="field-error" role="alert">
          {errorMessage(cancel.error)}
        </p>
      )}
      {editing && <RunEditForm run={data} onDone={() => setEditing(false)} />}
      <nav className="tabs" aria-label="Run sections">
        {tabs.map((t) => (
          <Link
            key={t}
            href={paths.run(runId, t)}
            className={t === tab ? "tab active" : "tab"}
            aria-current={t === tab ? "page" : undefined}
          >
            {TAB_LABELS[t]}
          </Link>
        ))}
      </nav>
      {tab === "overview" && <RunOverview run={data} />}
      {tab === "charts" && (
        <RunCharts
          runId={runId}
          runName={data.name}
          running={!isTerminalStatus(data.status)}
          attempt={data.attempt}
        />
      )}
      {tab === "logs" && <RunLogs runId={runId} />}
      {tab === "artifacts" && <RunArtifacts runId={runId} />}
      {tab === "results" && <ClassifierResultsView results={results} />}
    </div>
  );
}
