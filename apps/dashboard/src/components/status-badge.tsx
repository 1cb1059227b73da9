import type { RunStatus } from "@labtrack/schemas";

export function StatusBadge({ status }: { status: RunStatus | string }) {
  return (
    <span className={`status status-${status}`} title={status}>
      <span className="status-dot" aria-hidden="true" />
      {status}
    </span>
  );
}
