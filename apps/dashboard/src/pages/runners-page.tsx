import type { RunnerSummary } from "@labtrack/schemas";
import { formatBytes, formatRelativeTime } from "../charts/format-number.ts";
import { EmptyState, ErrorState, SkeletonRows } from "../components/states.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useQueueActivity } from "../queue/use-queue-activity.ts";
import { Link } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import { runnerCommand } from "../tokens/token-text.ts";

const mb = (value: number) => formatBytes(value * 1024 * 1024);

function Meter({ value, label }: { value: number | null; label: string }) {
  const pct = value === null ? 0 : Math.max(0, Math.min(100, value));
  return (
    <span className="meter" title={label}>
      <span className="meter-fill" style={{ width: `${pct}%` }} />
      <span className="meter-text">{label}</span>
    </span>
  );
}

function RunnerCard({ runner }: { runner: RunnerSummary }) {
  const busy = runner.slots.filter((s) => s.run).length;
  return (
    <article className={`panel runner-card ${runner.online ? "" : "offline"}`} aria-label={runner.name}>
      <header className="runner-head">
        <div className="min0">
          <h2 className="truncate">{runner.name}</h2>
          <div className="muted small">
            {runner.hostname} · {runner.cpus} CPUs · {mb(runner.memoryMb)} ·{" "}
            {runner.backends.join(", ") || "no tfjs backend"}
          </div>
        </div>
        <span
          className={runner.online ? "pill ok" : "pill"}
          title={`last seen ${new Date(runner.lastSeenAt).toLocaleString()}`}
        >
          {runner.online ? "online" : `offline · ${formatRelativeTime(runner.lastSeenAt)}`}
        </span>
      </header>
      {runner.gpus.length > 0 ? (
        <table className="kv-table gpu-table">
          <thead>
            <tr>
              <th scope="col">GPU</th>
              <th scope="col">utilisation</th>
              <th scope="col">memory</th>
            </tr>
          </thead>
          <tbody>
            {runner.gpus.map((gpu) => (
              <tr key={gpu.index}>
                <td>
                  <span className="mono">{gpu.index}</span> {gpu.name}
                </td>
                <td>
                  <Meter
                    value={gpu.utilizationPercent}
                    label={gpu.utilizationPercent === null ? "—" : `${Math.round(gpu.utilizationPercent)}%`}
                  />
                </td>
                <td>
                  <Meter
                    value={
                      gpu.memoryUsedMb === null ? null : (gpu.memoryUsedMb / Math.max(1, gpu.memoryMb)) * 100
                    }
                    label={`${gpu.memoryUsedMb === null ? "—" : mb(gpu.memoryUsedMb)} / ${mb(gpu.memoryMb)}`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No GPU: runs on CPU slots.</p>
      )}
      <h3>
        Slots · {busy}/{runner.slots.length} busy
      </h3>
      <ul className="slots">
        {runner.slots.map((slot) => (
          <li key={slot.index} className={slot.run ? "slot busy" : "slot"}>
            <span className="mono muted">#{slot.index}</span>
            <span className="muted small">
              {slot.gpuIndices.length ? `GPU ${slot.gpuIndices.join(",")}` : "CPU"}
            </span>
            {slot.run ? (
              <>
                <StatusBadge status={slot.run.status} />
                <Link href={paths.run(slot.run.id)} className="truncate">
                  {slot.run.name}
                </Link>
              </>
            ) : (
              <span className="muted">idle</span>
            )}
          </li>
        ))}
      </ul>
      <div className="muted small">
        queues: {runner.queues.join(", ")}
        {runner.labels.length ? ` · labels: ${runner.labels.join(", ")}` : ""}
      </div>
    </article>
  );
}

/** Every runner with its GPUs, slots and current runs, following claims and finishes live. */
export function RunnersPage() {
  // Live: a slot shows its run as soon as it is claimed, not at the next poll.
  const { runners } = useQueueActivity({ includeOfflineRunners: true });
  const online = runners.data?.filter((r) => r.online).length ?? 0;
  return (
    <div className="page page-wide">
      <div className="page-head">
        <h1>
          Runners{" "}
          {runners.data && (
            <span className="count">
              {online} online of {runners.data.length}
            </span>
          )}
        </h1>
      </div>
      {runners.isPending ? (
        <SkeletonRows rows={4} />
      ) : runners.error ? (
        <ErrorState error={runners.error} retry={() => void runners.refetch()} />
      ) : runners.data.length === 0 ? (
        <EmptyState title="No runner has registered yet">
          <p>
            Make a runner token on the <Link href={paths.tokens()}>Tokens</Link> page (admins), then on a
            machine with GPUs (or just CPUs), from this repository:
          </p>
          <pre className="mono copy-text" data-testid="runner-howto">
            {runnerCommand(window.location.origin, "lt_runner_…", "gpu-host-1")}
          </pre>
          <p className="small muted">
            It registers its GPUs, CPUs and labels, appears here and starts taking queued runs (
            <code>--queues</code>, <code>--labels</code>, <code>--slots</code>: see the README).
          </p>
        </EmptyState>
      ) : (
        <div className="runner-grid">
          {runners.data.map((runner) => (
            <RunnerCard key={runner.id} runner={runner} />
          ))}
        </div>
      )}
    </div>
  );
}
