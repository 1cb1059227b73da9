import { formatRelativeTime } from "../charts/format-number.ts";
import { EmptyState, ErrorState, SkeletonRows } from "../components/states.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { Link } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import { SweepProgressBar } from "../sweeps/sweep-progress.tsx";
import { useSweepList } from "../sweeps/use-sweep.ts";

/** A project's sweeps, newest first, with their state and progress. */
export function SweepsPage({ project }: { project: string }) {
  const sweeps = useSweepList(project);
  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link href={paths.projects()}>Projects</Link> / <Link href={paths.runs(project)}>{project}</Link>
          </div>
          <h1>
            Sweeps <span className="count">{sweeps.data?.length ?? "…"}</span>
          </h1>
        </div>
        <div className="page-actions">
          <Link
            className="btn btn-primary"
            href={`${paths.queue()}?new=sweep&project=${encodeURIComponent(project)}`}
          >
            New sweep
          </Link>
        </div>
      </div>
      {sweeps.isPending ? (
        <SkeletonRows rows={4} />
      ) : sweeps.error ? (
        <ErrorState error={sweeps.error} retry={() => void sweeps.refetch()} />
      ) : sweeps.data.length === 0 ? (
        <EmptyState title="No sweeps in this project yet">
          <p>
            Start one with <strong>New sweep</strong> on the Queue page, or{" "}
            <code>pnpm labtrack sweep sweep.yaml</code>.
          </p>
        </EmptyState>
      ) : (
        <table className="kv-table sweeps-table">
          <thead>
            <tr>
              <th scope="col">Sweep</th>
              <th scope="col">State</th>
              <th scope="col">Method</th>
              <th scope="col">Goal</th>
              <th scope="col">Progress</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {sweeps.data.map((s) => (
              <tr key={s.id}>
                <td>
                  <Link href={paths.sweep(project, s.id)}>{s.name}</Link>
                </td>
                <td>
                  <StatusBadge status={s.status} />
                </td>
                <td>{s.method}</td>
                <td className="mono small">
                  {s.config.metric.goal} {s.config.metric.name}
                </td>
                <td className="progress-cell">
                  <SweepProgressBar progress={s.progress} compact />
                </td>
                <td className="muted small">{formatRelativeTime(s.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
