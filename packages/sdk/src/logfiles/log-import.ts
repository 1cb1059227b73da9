import { stat } from "node:fs/promises";
import path from "node:path";
import { quoteFilterString } from "@labtrack/core";
import { METRICS_BATCH_MAX_POINTS, type MetricPointInput, type Run } from "@labtrack/schemas";
import type { LabtrackTRPCClient } from "../trpc-client.ts";
import { LogFilesTail } from "./log-files-tail.ts";
import { watchRootOf } from "./watch-roots.ts";

/** The key/value tag that ties an imported run to its log directory or file (absolute path). */
export const SOURCE_TAG = "labtrack.source";
export const SOURCE_KIND_TAG = "labtrack.source.kind";

/** metrics.log calls kept in flight while the files are read. */
const CALLS_IN_FLIGHT = 4;

export interface LogImportOptions {
  trpc: LabtrackTRPCClient;
  project: string;
  kind: "tensorboard" | "csv";
  /** A TensorBoard log directory, or a CSV log file. */
  source: string;
  name?: string | undefined;
  onProblem: (message: string) => void;
}

export interface LogImportResult {
  run: Run;
  created: boolean;
  /** Points read from the files, and how many of them the server did not have yet. */
  points: number;
  inserted: number;
  files: number;
}

/** Sends points in `metrics.log`-sized calls, a few at once, waiting when that many are pending. */
class PointSender {
  private pending = new Set<Promise<void>>();
  inserted = 0;

  constructor(
    private readonly trpc: LabtrackTRPCClient,
    private readonly runId: string,
  ) {}

  async send(points: MetricPointInput[]): Promise<void> {
    for (let i = 0; i < points.length; i += METRICS_BATCH_MAX_POINTS) {
      if (this.pending.size >= CALLS_IN_FLIGHT) await Promise.race(this.pending);
      const call = this.trpc.metrics.log
        .mutate({ runId: this.runId, points: points.slice(i, i + METRICS_BATCH_MAX_POINTS) })
        .then((result) => {
          this.inserted += result.inserted;
        })
        .finally(() => this.pending.delete(call));
      this.pending.add(call);
    }
  }

  async drain(): Promise<void> {
    await Promise.all(this.pending);
  }
}

async function findImportedRun(
  trpc: LabtrackTRPCClient,
  project: string,
  source: string,
): Promise<Run | null> {
  const page = await trpc.runs.list.query({
    project,
    filter: `tags.${quoteFilterString(SOURCE_TAG)} = ${quoteFilterString(source)}`,
    sort: { field: "createdAt", direction: "asc" },
    limit: 1,
  });
  return page.runs[0] ?? null;
}

/**
 * Makes (or, for a source imported before, updates) one run from a TensorBoard log directory or a
 * CSV log: its scalars become metric points, the run ends succeeded with the time range of the
 * events. Importing again sends the same (key, step) points, which the server does not double.
 */
export async function importLogSource(opts: LogImportOptions): Promise<LogImportResult> {
  const source = path.resolve(opts.source);
  const info = await stat(source);
  const { trpc } = opts;
  const existing = await findImportedRun(trpc, opts.project, source);
  let run =
    existing ??
    (await trpc.runs.create.mutate({
      project: opts.project,
      name: opts.name ?? path.basename(source),
      keyValueTags: { [SOURCE_TAG]: source, [SOURCE_KIND_TAG]: opts.kind },
    }));
  if (existing && opts.name && existing.name !== opts.name) {
    run = await trpc.runs.update.mutate({ runId: run.id, name: opts.name });
  }
  const tail = new LogFilesTail([watchRootOf(source, "/")], opts.onProblem);
  const sender = new PointSender(trpc, run.id);
  let points = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  await tail.poll(async (batch) => {
    points += batch.length;
    // CSV points carry the time they were read, not when they were written: not the run's range.
    if (opts.kind === "tensorboard")
      for (const point of batch) {
        if (typeof point.time !== "number") continue;
        if (point.time < first) first = point.time;
        if (point.time > last) last = point.time;
      }
    await sender.send(batch);
  });
  await sender.drain();
  for (const file of tail.incomplete) {
    opts.onProblem(`${file} ends inside a record (still being written?); its last record was not imported`);
  }
  if (run.status === "running") run = await trpc.runs.finish.mutate({ runId: run.id, status: "succeeded" });
  // Event files carry wall times; a CSV log has none, so its run spans the file's own times.
  const startedAt = Number.isFinite(first)
    ? Math.floor(first)
    : Math.min(info.birthtimeMs || info.mtimeMs, info.mtimeMs);
  const finishedAt = Number.isFinite(last) ? Math.ceil(last) : info.mtimeMs;
  run = await trpc.runs.update.mutate({
    runId: run.id,
    startedAt: Math.floor(startedAt),
    ...(run.finishedAt !== null && { finishedAt: Math.ceil(finishedAt) }),
  });
  return { run, created: !existing, points, inserted: sender.inserted, files: tail.tracked.length };
}
