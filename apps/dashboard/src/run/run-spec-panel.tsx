import type { Run } from "@labtrack/schemas";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { formatDuration } from "../charts/format-number.ts";
import { Link } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import { commandView, ordinal, requirementsText, specKind, specYaml } from "./run-spec.ts";

/** Most queued runs of one queue and project read to find this run's place. */
const QUEUE_READ_LIMIT = 1000;

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Where a queued run stands: its place in its queue, how long it has waited, what it needs. */
function QueuePlace({ run }: { run: Run }) {
  const { client } = useApi();
  const queue = run.queue ?? "default";
  const entries = useQuery({
    queryKey: ["queue.list", queue, run.project],
    queryFn: () => client.queue.list.query({ queue, project: run.project, limit: QUEUE_READ_LIMIT }),
    // Other runs start and leave the queue; this page listens to this run's events only.
    refetchInterval: 5_000,
  });
  const now = useNow(1_000);
  const entry = entries.data?.find((e) => e.id === run.id);
  const waited = formatDuration(now - Date.parse(run.createdAt));
  return (
    <dl className="details spec-queue" data-testid="queue-place">
      <div>
        <dt>Queue</dt>
        <dd>
          <Link href={paths.queue()}>{queue}</Link> · priority {run.priority}
        </dd>
      </div>
      <div>
        <dt>Position</dt>
        <dd>
          {entries.error ? (
            <span className="field-error">could not read the queue: {errorMessage(entries.error)}</span>
          ) : entries.isPending ? (
            "…"
          ) : entry ? (
            `${ordinal(entry.position)} to start${entry.position === 1 ? " (next)" : ""}`
          ) : (
            `past the first ${QUEUE_READ_LIMIT.toLocaleString("en-US")}`
          )}
        </dd>
      </div>
      <div>
        <dt>Waiting</dt>
        <dd title={new Date(run.createdAt).toLocaleString()}>{waited}</dd>
      </div>
      <div>
        <dt>Needs</dt>
        <dd>{entry ? requirementsText(entry.requirements) : "…"}</dd>
      </div>
      {run.attempt > 1 && (
        <div>
          <dt>Attempt</dt>
          <dd>{run.attempt} (requeued after its runner was lost)</dd>
        </div>
      )}
    </dl>
  );
}

function CommandSpecView({ view }: { view: NonNullable<ReturnType<typeof commandView>> }) {
  return (
    <div className="spec-command">
      <pre className="spec-code" data-testid="spec-command">
        <span className="muted">$ </span>
        {view.line}
      </pre>
      {view.argv && (
        <p className="muted small">
          Run without a shell: {view.argv.length} argument{view.argv.length === 1 ? "" : "s"}.
        </p>
      )}
      <dl className="details">
        <div>
          <dt>Working folder</dt>
          <dd className="mono">{view.cwd ?? "the run's own"}</dd>
        </div>
        <div>
          <dt>Time limit</dt>
          <dd>{view.timeoutSeconds === null ? "none" : formatDuration(view.timeoutSeconds * 1000)}</dd>
        </div>
        {view.watch.length > 0 && (
          <div>
            <dt>Logs read</dt>
            <dd className="mono">{view.watch.join(", ")}</dd>
          </div>
        )}
      </dl>
      {view.env.length > 0 && (
        <table className="kv-table spec-env" aria-label="Environment">
          <thead>
            <tr>
              <th scope="col">environment</th>
              <th scope="col">value</th>
            </tr>
          </thead>
          <tbody>
            {view.env.map(([key, value]) => (
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
    </div>
  );
}

/**
 * What a queued run will execute (its command, or the image-classifier recipe as YAML), where it
 * stands in its queue, and the sweep that queued it.
 */
export function RunSpecPanel({ run }: { run: Run }) {
  const kind = specKind(run.spec);
  const command = commandView(run.spec);
  return (
    <section className="panel spec-panel" aria-label="Spec">
      <h2>
        Spec <span className="muted small">{kind ?? "unknown kind"}</span>
      </h2>
      {run.status === "queued" && <QueuePlace run={run} />}
      {run.sweep && (
        <p className="spec-sweep">
          Queued by sweep <Link href={paths.sweep(run.project, run.sweep.id)}>{run.sweep.name}</Link>
        </p>
      )}
      {command ? (
        <>
          <CommandSpecView view={command} />
          <details className="spec-yaml">
            <summary>As YAML</summary>
            <pre className="spec-code">{specYaml(run.spec)}</pre>
          </details>
        </>
      ) : (
        <pre className="spec-code spec-recipe" data-testid="spec-yaml">
          {specYaml(run.spec)}
        </pre>
      )}
    </section>
  );
}
