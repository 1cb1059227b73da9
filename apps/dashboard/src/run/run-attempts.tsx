import type { MetricAttemptStart } from "@labtrack/schemas";
import { useQuery } from "@tanstack/react-query";
import { useApi } from "../api/api-context.tsx";
import { formatMetric } from "../charts/format-number.ts";

/** Where each attempt of a run began (metrics.attempts), refreshed with the run. */
export function useRunAttempts(runId: string, attempt: number) {
  const { client } = useApi();
  return useQuery({
    // The run's attempt is in the key: a new attempt asks again.
    queryKey: ["metrics.attempts", runId, attempt],
    queryFn: () => client.metrics.attempts.query({ runId }),
    enabled: attempt > 1,
  });
}

/** "attempt 2 started at step 5 · attempt 3 started at step 12" for the attempts after the first. */
export function describeAttemptStarts(starts: readonly MetricAttemptStart[]): string {
  return starts
    .filter((s) => s.attempt > 1)
    .map((s) => `attempt ${s.attempt} started at step ${formatMetric(s.firstStep)}`)
    .join(" · ");
}

/** The run's attempt count and, for a retried run, where each later attempt began. */
export function RunAttempts({ runId, attempt }: { runId: string; attempt: number }) {
  const starts = useRunAttempts(runId, attempt);
  if (attempt <= 1) return <>1</>;
  const said = starts.data ? describeAttemptStarts(starts.data) : "";
  return (
    <span data-testid="run-attempts">
      {attempt} attempts
      {said ? <span className="muted small"> · {said}</span> : null}
    </span>
  );
}

/**
 * Above a retried run's charts: what the dashed lines mean. A later attempt's point at a step
 * replaces the earlier attempt's, so each curve shows the latest attempt's values.
 */
export function RetriedRunNote({ runId, attempt }: { runId: string; attempt: number }) {
  const starts = useRunAttempts(runId, attempt);
  const said = starts.data ? describeAttemptStarts(starts.data) : "";
  if (attempt <= 1 || !said) return null;
  return (
    <p className="muted small" data-testid="retried-run-note">
      This run was retried: {said}. From there each curve shows the later attempt's points (they replace the
      earlier attempt's at the same steps); dashed lines mark where an attempt began.
    </p>
  );
}
