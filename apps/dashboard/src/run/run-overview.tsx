import { fromWireNumber, type Run } from "@labtrack/schemas";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../api/api-context.tsx";
import { formatConfigValue, formatDuration, formatMetric } from "../charts/format-number.ts";
import { ErrorState, Spinner } from "../components/states.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { Link } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import { flatConfigOf } from "../runs/run-columns.ts";
import { MarkdownNotes } from "./markdown-notes.tsx";
import { RunAttempts } from "./run-attempts.tsx";
import { keyValueTagRows, provenanceRows } from "./run-provenance.ts";
import { RunSpecPanel } from "./run-spec-panel.tsx";
import { RunnerOfRun } from "./runner-of-run.tsx";

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "—";
}

function showJson(value: unknown): string {
  return formatConfigValue(value);
}

function StatusTimeline({ runId }: { runId: string }) {
  const { client } = useApi();
  const events = useQuery({
    queryKey: ["runs.events", runId],
    queryFn: () => client.runs.events.query({ runId }),
  });
  if (events.isPending) return <Spinner label="Loading timeline" />;
  if (events.error) return <ErrorState error={events.error} />;
  return (
    <ol className="timeline">
      {events.data.map((event) => (
        <li key={event.id}>
          <StatusBadge status={event.to} />
          <span className="muted small">
            {new Date(event.at).toLocaleString()} · {event.actor}
            {event.reason ? ` · ${event.reason}` : ""}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** Everything about a run at a glance: state, where it ran, its config and metric summary. */
export function RunOverview({ run }: { run: Run }) {
  const config = Object.entries(flatConfigOf(run)).sort(([a], [b]) => a.localeCompare(b));
  const summary = Object.entries(run.summary).sort(([a], [b]) => a.localeCompare(b));
  const end = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
  const details: [string, React.ReactNode][] = [
    ["Status", <StatusBadge key="s" status={run.status} />],
    ["Duration", run.startedAt ? formatDuration(end - Date.parse(run.startedAt)) : "—"],
    ["Runner", run.runner ?? "—"],
    ["Attempts", <RunAttempts key="a" runId={run.id} attempt={run.attempt} />],
    ["Queue", run.queue ? `${run.queue} (priority ${run.priority})` : "— (reported by a script)"],
    ["Created", when(run.createdAt)],
    ["Started", when(run.startedAt)],
    ["Finished", when(run.finishedAt)],
    ["Group", run.group ?? "—"],
    [
      "Sweep",
      run.sweep ? (
        <Link key="sw" href={paths.sweep(run.project, run.sweep.id)}>
          {run.sweep.name}
        </Link>
      ) : (
        "—"
      ),
    ],
    ["Tags", run.tags.length ? run.tags.join(", ") : "—"],
  ];
  const keyValueTags = keyValueTagRows(run);
  const { source, user } = provenanceRows(run);
  if (source) details.push(["Source", <code key="src">{source}</code>]);
  if (user) details.push(["User", user]);
  if (run.deletedAt) details.push(["Deleted", `${when(run.deletedAt)} (through the MLflow API)`]);
  if (run.parentRunId) {
    details.push([
      "Parent run",
      <Link key="p" href={paths.run(run.parentRunId)}>
        {run.parentRunId.slice(0, 8)}
      </Link>,
    ]);
  }
  // A queued run's spec is what there is to see; a started one's sits below its results.
  const spec = run.spec !== null && <RunSpecPanel run={run} />;
  return (
    <div className="overview">
      {run.status === "queued" && spec}
      {run.notes && (
        <section className="panel notes-panel" aria-label="Notes">
          <MarkdownNotes text={run.notes} />
        </section>
      )}
      {run.error && (
        <div className="state state-error run-error" role="alert">
          <div className="state-title">Run failed</div>
          <code className="state-message">{run.error}</code>
        </div>
      )}
      <div className="grid-2">
        <section className="panel">
          <h2>Details</h2>
          <dl className="details">
            {details.map(([label, value]) => (
              <div key={label}>
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          {keyValueTags.length > 0 && (
            <table className="kv-table kv-tags" aria-label="Key/value tags">
              <tbody>
                {keyValueTags.map(([key, value]) => (
                  <tr key={key}>
                    <th scope="row" className="mono">
                      {key}
                    </th>
                    <td className="mono" title={value}>
                      {value}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel">
          <h2>Status timeline</h2>
          <StatusTimeline runId={run.id} />
          {run.runner && <RunnerOfRun runnerName={run.runner} runId={run.id} />}
        </section>
        <section className="panel">
          <h2>
            Config <span className="muted small">{config.length} keys</span>
          </h2>
          {config.length === 0 ? (
            <p className="muted">No config recorded.</p>
          ) : (
            <div className="table-scroll">
              <table className="kv-table">
                <tbody>
                  {config.map(([key, value]) => (
                    <tr key={key}>
                      <th scope="row" className="mono">
                        {key}
                      </th>
                      <td className="mono">{showJson(value)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section className="panel">
          <h2>
            Summary <span className="muted small">{summary.length} metrics</span>
          </h2>
          {summary.length === 0 ? (
            <p className="muted">No metrics logged yet.</p>
          ) : (
            <div className="table-scroll">
              <table className="kv-table">
                <thead>
                  <tr>
                    <th scope="col">metric</th>
                    <th scope="col" className="num">
                      last
                    </th>
                    <th scope="col" className="num">
                      min
                    </th>
                    <th scope="col" className="num">
                      max
                    </th>
                    <th scope="col" className="num">
                      points
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {summary.map(([key, s]) => (
                    <tr key={key}>
                      <th scope="row" className="mono">
                        {key}
                      </th>
                      <td className="mono num" title={`step ${s.lastStep}`}>
                        {formatMetric(fromWireNumber(s.last))}
                      </td>
                      <td className="mono num" title={s.minStep === null ? "" : `step ${s.minStep}`}>
                        {s.min === null ? "—" : formatMetric(fromWireNumber(s.min))}
                      </td>
                      <td className="mono num" title={s.maxStep === null ? "" : `step ${s.maxStep}`}>
                        {s.max === null ? "—" : formatMetric(fromWireNumber(s.max))}
                      </td>
                      <td className="mono num">{s.count.toLocaleString("en-US")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
      {run.status !== "queued" && spec}
    </div>
  );
}
