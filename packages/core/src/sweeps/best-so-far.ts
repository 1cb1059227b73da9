/** A sweep's run as the goal-over-time view reads it. */
export interface GoalEntry {
  runId: string;
  status: string;
  goal: number | null;
  pruned: boolean;
  finishedAt: string | null;
}

export interface GoalPoint {
  runId: string;
  /** 1-based position in the order the runs ended. */
  order: number;
  goal: number;
  pruned: boolean;
  /** The best goal of the succeeded runs that ended up to here; null before the first. */
  best: number | null;
}

const better = (a: number, b: number, goal: "minimize" | "maximize") => (goal === "minimize" ? a < b : a > b);

/**
 * The ended runs with a goal value, in the order they ended, with the best-so-far line. Only
 * succeeded runs move the line: a pruned run's value is from a curve cut short.
 */
export function goalOverRuns(entries: readonly GoalEntry[], goal: "minimize" | "maximize"): GoalPoint[] {
  const ended = entries
    .filter((e) => e.finishedAt !== null && e.goal !== null && Number.isFinite(e.goal))
    .sort((a, b) => (a.finishedAt as string).localeCompare(b.finishedAt as string));
  let best: number | null = null;
  return ended.map((e, i) => {
    const value = e.goal as number;
    if (e.status === "succeeded" && (best === null || better(value, best, goal))) best = value;
    return { runId: e.runId, order: i + 1, goal: value, pruned: e.pruned, best };
  });
}

/** The succeeded run with the best goal (the earliest to end among equals), or null. */
export function bestRun<T extends GoalEntry>(entries: readonly T[], goal: "minimize" | "maximize"): T | null {
  let best: T | null = null;
  for (const e of entries) {
    if (e.status !== "succeeded" || e.goal === null || !Number.isFinite(e.goal)) continue;
    if (best === null || better(e.goal, best.goal as number, goal)) best = e;
    else if (e.goal === best.goal && (e.finishedAt ?? "") < (best.finishedAt ?? "")) best = e;
  }
  return best;
}
