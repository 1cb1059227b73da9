import type { RunStatus } from "@labtrack/schemas";

/**
 * Every allowed run status change. `running -> queued` is a run handed back by a runner that is
 * shutting down; `lost -> queued` is a retry after a lease expired.
 */
export const RUN_TRANSITIONS: ReadonlyMap<RunStatus, ReadonlySet<RunStatus>> = new Map<
  RunStatus,
  ReadonlySet<RunStatus>
>([
  ["queued", new Set<RunStatus>(["running", "canceled"])],
  ["running", new Set<RunStatus>(["succeeded", "failed", "canceling", "lost", "queued"])],
  ["canceling", new Set<RunStatus>(["canceled", "failed", "succeeded", "lost"])],
  ["lost", new Set<RunStatus>(["queued", "failed"])],
  ["succeeded", new Set<RunStatus>()],
  ["failed", new Set<RunStatus>()],
  ["canceled", new Set<RunStatus>()],
]);

export class InvalidTransitionError extends Error {
  readonly from: RunStatus;
  readonly to: RunStatus;

  constructor(from: RunStatus, to: RunStatus) {
    super(`run cannot go from ${from} to ${to}`);
    this.name = "InvalidTransitionError";
    this.from = from;
    this.to = to;
  }
}

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS.get(from)?.has(to) ?? false;
}

export function assertTransition(from: RunStatus, to: RunStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

/** A run in one of these states is finished for good. */
export function isTerminalStatus(status: RunStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "canceled";
}

/** A run in one of these states is held by a runner. */
export function isActiveStatus(status: RunStatus): boolean {
  return status === "running" || status === "canceling";
}
