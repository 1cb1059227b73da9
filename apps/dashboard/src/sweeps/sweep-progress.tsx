import type { SweepProgress } from "@labtrack/schemas";

const PARTS = [
  ["finished", "finished"],
  ["pruned", "pruned"],
  ["failed", "failed"],
  ["canceled", "canceled"],
  ["running", "running"],
  ["queued", "queued"],
] as const;

/** A bar of the sweep's budget: finished, pruned, failed, canceled, running and queued runs. */
export function SweepProgressBar({ progress, compact }: { progress: SweepProgress; compact?: boolean }) {
  const budget = Math.max(1, progress.budget);
  const used = PARTS.reduce((n, [key]) => n + progress[key], 0);
  return (
    <div className={compact ? "sweep-progress compact" : "sweep-progress"}>
      <div
        className="sweep-progress-bar"
        role="progressbar"
        aria-label="Runs of the budget"
        aria-valuemin={0}
        aria-valuemax={progress.budget}
        aria-valuenow={used}
      >
        {PARTS.map(([key]) =>
          progress[key] > 0 ? (
            <span
              key={key}
              className={`seg seg-${key}`}
              style={{ width: `${(100 * progress[key]) / budget}%` }}
              title={`${progress[key]} ${key}`}
            />
          ) : null,
        )}
      </div>
      <div className="sweep-progress-legend small" data-testid="sweep-progress">
        {PARTS.filter(([key]) => !compact || progress[key] > 0).map(([key, label]) => (
          <span key={key} className="legend-item">
            <span className={`swatch seg-${key}`} aria-hidden="true" />
            {progress[key]} {label}
          </span>
        ))}
        <span className="muted">of {progress.budget} (run cap)</span>
      </div>
    </div>
  );
}
