import { appendFileSync } from "node:fs";
import path from "node:path";
import type {
  ArtifactKind,
  JsonValue,
  LogStream,
  MetricPointInput,
  RunnersReportInput,
} from "@labtrack/schemas";
import { DiskSpool, type LabtrackTRPCClient, shouldRetrySend, uploadArtifact } from "@labtrack/sdk";
import type { Logger } from "pino";

/** What the runner tells the server about its runs, in the order it happened. */
export type OutboxEntry =
  /** `attempt`: the run's attempt that produced the points (as claimed), sent with them. */
  | { t: "metrics"; runId: string; points: MetricPointInput[]; attempt?: number }
  | { t: "logs"; runId: string; lines: { stream: LogStream; text: string; time: number; seq: number }[] }
  | { t: "results"; runId: string; results: Record<string, JsonValue> }
  | { t: "artifact"; runId: string; path: string; kind: ArtifactKind; file: string }
  | { t: "report"; report: RunnersReportInput };

const MAX_POINTS = 5_000;
const MAX_LINES = 2_000;

/** Errors the server will give again however often the entry is sent: drop the entry. */
export function isPermanentRejection(error: unknown): boolean {
  const code = (error as { data?: { code?: unknown } } | null)?.data?.code;
  if (typeof code === "string") {
    return [
      "BAD_REQUEST",
      "CONFLICT",
      "NOT_FOUND",
      "FORBIDDEN",
      "PAYLOAD_TOO_LARGE",
      "UNPROCESSABLE_CONTENT",
    ].includes(code);
  }
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const isStream = (entry: OutboxEntry): entry is Extract<OutboxEntry, { t: "metrics" | "logs" }> =>
  entry.t === "metrics" || entry.t === "logs";

/** Consecutive metric and log entries of the same run travel together (one call for each kind). */
function sameBatch(head: OutboxEntry, next: OutboxEntry): boolean {
  return isStream(head) && isStream(next) && next.runId === head.runId;
}

export interface OutboxOptions {
  dir: string;
  trpc: LabtrackTRPCClient;
  url: string;
  token: string;
  log: Logger;
  onSent?: (entries: OutboxEntry[]) => void;
  sendTimeoutMs?: number;
  /** Named in the log line a run gets when some of its entries are set aside. */
  runnerName: string;
}

/** The runner's spool: every entry is on disk before it is sent, and replayed after an outage. */
export function createOutbox(opts: OutboxOptions): DiskSpool<OutboxEntry> {
  const timeoutMs = opts.sendTimeoutMs ?? 15_000;
  async function send(entries: OutboxEntry[]): Promise<void> {
    const head = entries[0]!;
    switch (head.t) {
      case "metrics":
      case "logs": {
        // A run's metrics and log lines go to different tables: both calls can be in flight at once.
        // Points go with the attempt that produced them (a replayed spool may hold two attempts').
        const byAttempt = new Map<number | undefined, MetricPointInput[]>();
        for (const e of entries) {
          if (e.t !== "metrics") continue;
          const list = byAttempt.get(e.attempt) ?? [];
          for (const p of e.points) list.push(p);
          byAttempt.set(e.attempt, list);
        }
        const lines = entries.flatMap((e) => (e.t === "logs" ? e.lines : []));
        // One metrics call at a time, in spool order: an earlier attempt's batch must be stored
        // before a later attempt's replaces it, or the two race and the earlier one can win.
        const sendMetrics = async () => {
          for (const [attempt, points] of byAttempt) {
            for (let i = 0; i < points.length; i += MAX_POINTS) {
              const chunk = points.slice(i, i + MAX_POINTS);
              await withTimeout(
                opts.trpc.metrics.log.mutate({ runId: head.runId, points: chunk, attempt }),
                timeoutMs,
                "metrics.log",
              );
            }
          }
        };
        const calls: Promise<unknown>[] = [sendMetrics()];
        for (let i = 0; i < lines.length; i += MAX_LINES) {
          const chunk = lines.slice(i, i + MAX_LINES);
          calls.push(
            withTimeout(
              opts.trpc.logs.append.mutate({ runId: head.runId, lines: chunk }),
              timeoutMs,
              "logs.append",
            ),
          );
        }
        await Promise.all(calls);
        return;
      }
      case "results":
        await withTimeout(
          opts.trpc.runs.setResults.mutate({ runId: head.runId, results: head.results }),
          timeoutMs,
          "runs.setResults",
        );
        return;
      case "artifact":
        try {
          await uploadArtifact({
            url: opts.url,
            token: opts.token,
            runId: head.runId,
            path: head.path,
            source: head.file,
            kind: head.kind,
          });
        } catch (error) {
          // The file went away (a work dir cleaned after an older run): nothing left to send.
          if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
          throw error;
        }
        return;
      case "report":
        await withTimeout(opts.trpc.runners.report.mutate(head.report), timeoutMs, "runners.report");
        return;
    }
  }
  return new DiskSpool<OutboxEntry>({
    dir: opts.dir,
    send,
    batchOf: sameBatch,
    maxBatch: 1_000,
    isRetryable: shouldRetrySend,
    onSetAside: (entries, error) => setAside(opts, entries, error),
    retryDelayMs: (failures) => Math.min(100 * 2 ** failures, 1_000),
    onSent: opts.onSent,
    onError: (error, willRetry) => {
      const message = error instanceof Error ? error.message : String(error);
      if (willRetry) opts.log.debug({ err: message }, "server unreachable; the spool keeps the data");
      else opts.log.warn({ err: message }, "the server refused a spooled entry; set aside");
    },
  });
}

/** Entries the server refused are kept here (one JSON line each), never sent again. */
export const REJECTED_FILE = "rejected.jsonl";

/**
 * A refused batch leaves the spool (it would block every run behind it) for `rejected.jsonl`, and
 * each run it belonged to gets a system log line saying what was set aside and why.
 */
function setAside(opts: OutboxOptions, entries: OutboxEntry[], error: unknown): void {
  const file = path.join(opts.dir, REJECTED_FILE);
  const reason = error instanceof Error ? error.message : String(error);
  appendFileSync(file, entries.map((e) => `${JSON.stringify({ reason, entry: e })}\n`).join(""));
  const byRun = new Map<string, { points: number; lines: number; other: string[] }>();
  for (const entry of entries) {
    const runId = entry.t === "report" ? entry.report.runId : entry.runId;
    const tally = byRun.get(runId) ?? { points: 0, lines: 0, other: [] };
    if (entry.t === "metrics") tally.points += entry.points.length;
    else if (entry.t === "logs") tally.lines += entry.lines.length;
    else tally.other.push(entry.t === "artifact" ? `artifact ${entry.path}` : entry.t);
    byRun.set(runId, tally);
  }
  for (const [runId, tally] of byRun) {
    const what = [
      tally.points > 0 && `${tally.points} metric point(s)`,
      tally.lines > 0 && `${tally.lines} log line(s)`,
      ...tally.other,
    ].filter(Boolean);
    const text = `labtrack: the server refused ${what.join(", ")} of this run (${reason.slice(0, 500)}); set aside in ${file} on runner ${opts.runnerName}`;
    opts.log.warn({ runId, reason }, "spooled entries refused by the server; set aside");
    // Best effort, outside the spool: a line that cannot be stored must not block anything either.
    opts.trpc.logs.append
      .mutate({ runId, lines: [{ stream: "system", text }] })
      .catch((appendError: unknown) =>
        opts.log.warn({ runId, err: String(appendError) }, "could not log the set-aside entries on the run"),
      );
  }
}
