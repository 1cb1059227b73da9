/**
 * Redraws of many charts, one chart per task: a slider step or a hover that changes 6 charts of 50
 * runs would otherwise be one long task that freezes the page. Work is keyed, so a chart that is
 * asked again before its turn only does the latest.
 */
const pending = new Map<string, () => void>();
let scheduled = false;
const channel = typeof MessageChannel === "undefined" ? null : new MessageChannel();

function runNext(): void {
  scheduled = false;
  const next = pending.entries().next();
  if (next.done) return;
  const [key, work] = next.value;
  pending.delete(key);
  if (pending.size > 0) schedule();
  work();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  if (channel) channel.port2.postMessage(null);
  else setTimeout(runNext, 0);
}
if (channel) channel.port1.onmessage = runNext;

/** Runs `work` in a task of its own, after the work queued before it; replaces queued work of `key`. */
export function queueChartWork(key: string, work: () => void): void {
  pending.delete(key);
  pending.set(key, work);
  schedule();
}

/** Drops queued work of `key` (its chart is gone). */
export function cancelChartWork(key: string): void {
  pending.delete(key);
}
