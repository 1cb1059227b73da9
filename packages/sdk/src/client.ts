import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ArtifactKind, LiveEvent, LiveRunsInput, MetricPointInput } from "@labtrack/schemas";
import type { RouterInputs, RouterOutputs } from "@labtrack/tracker-api";
import { downloadArtifact, uploadArtifact } from "./artifact-transfer.ts";
import { sendLogBatch } from "./log-send.ts";
import { MetricOutbox, type MetricOutboxStats } from "./metric-outbox.ts";
import { type ClientOptions, createTrpcClient } from "./trpc-client.ts";

export type Run = RouterOutputs["runs"]["get"];

export interface RunHandle {
  readonly run: Run;
  readonly id: string;
  /** Buffers metrics for the background flush: `log({ "train/loss": 0.3 }, { step: 10, epoch: 1 })`. */
  log(metrics: Record<string, number>, at: { step: number; epoch?: number }): void;
  /**
   * Appends text lines to the run's logs. Retries through a short outage (60 s) under one batch
   * key, so a retry after a lost answer stores nothing twice; throws if the server refuses them.
   */
  print(text: string, stream?: "stdout" | "stderr"): Promise<void>;
  uploadArtifact(
    path: string,
    source: string | Uint8Array,
    kind?: ArtifactKind,
  ): ReturnType<typeof uploadArtifact>;
  setResults(results: RouterInputs["runs"]["setResults"]["results"]): Promise<Run>;
  /** Resolves once the server has every point logged so far, waiting through an outage. */
  flush(): Promise<void>;
  /** Points waiting in memory and in the spool file, and how many the server refused. */
  readonly stats: MetricOutboxStats;
  /**
   * Aborted once the server answers that the run was canceled (from the dashboard or the API):
   * stop training when it fires; later `log` calls are dropped and `finish` leaves it canceled.
   */
  readonly signal: AbortSignal;
  /** Flushes, then marks the run succeeded or failed (a canceled run stays canceled). */
  finish(status?: "succeeded" | "failed", error?: string): Promise<Run>;
}

export interface MetricDelivery {
  /** Flush at the latest this long after the first buffered point (1 s). */
  flushIntervalMs?: number;
  /** Points per `metrics.log` call (1,000). */
  maxBatch?: number;
  /**
   * Where a run's points wait when an outage lasts: `<spoolDir>/<run id>/spool.jsonl`. Default
   * `<os tmpdir>/labtrack-spool`. A client attaching to the same run with the same folder (after a
   * crash or restart) sends what is left there first.
   */
  spoolDir?: string;
  /** Points held in memory while the server is unreachable before they go to disk (20,000). */
  memoryPoints?: number;
  /** How long an outage may last before the points held in memory go to disk anyway (5 s). */
  spoolAfterMs?: number;
  /**
   * How long a `metrics.log` call may go unanswered before it counts as failed and is sent again
   * (30 s): a server that hangs (a frozen process, a dropped network path) is an outage too, and
   * the points logged meanwhile go to disk instead of piling up in memory behind it.
   */
  sendTimeoutMs?: number;
  /**
   * Points the server refused (a 4xx, or a 500 five times in a row): they are dropped, not
   * retried. Without a handler a process warning (`LabtrackDroppedPoints`) says so.
   */
  onDropped?: (event: { runId: string; points: MetricPointInput[]; error: unknown }) => void;
}

/** The default spool folder of the Node sdk. */
export const DEFAULT_SPOOL_DIR = path.join(os.tmpdir(), "labtrack-spool");

/** The typed Labtrack client for Node: runs, batched metrics, logs, artifacts, live events. */
export function createClient(opts: ClientOptions & MetricDelivery) {
  const { trpc, close } = createTrpcClient(opts);
  const outboxes = new Set<MetricOutbox>();

  function attach(run: Run): RunHandle {
    const canceled = new AbortController();
    const noteStatus = (answer: { runStatus: string }) => {
      if (answer.runStatus === "canceled" && !canceled.signal.aborted)
        canceled.abort(new Error("run canceled"));
    };
    const spoolDir = path.join(opts.spoolDir ?? DEFAULT_SPOOL_DIR, run.id);
    const outbox = new MetricOutbox({
      send: async (points: MetricPointInput[], attempt: number | undefined) => {
        noteStatus(
          await trpc.metrics.log.mutate(
            { runId: run.id, points, attempt },
            { signal: AbortSignal.timeout(opts.sendTimeoutMs ?? 30_000) },
          ),
        );
      },
      // The attempt this handle logs for: points spooled now and replayed later still say so.
      attempt: run.attempt,
      spoolDir,
      flushIntervalMs: opts.flushIntervalMs,
      maxBatch: opts.maxBatch,
      memoryPoints: opts.memoryPoints,
      spoolAfterMs: opts.spoolAfterMs,
      onDropped: (points, error) => {
        if (opts.onDropped) opts.onDropped({ runId: run.id, points, error });
        else {
          const message = error instanceof Error ? error.message : String(error);
          process.emitWarning(
            `labtrack: the server refused ${points.length} points of run ${run.id}: ${message}`,
            {
              code: "LabtrackDroppedPoints",
            },
          );
        }
      },
    });
    outboxes.add(outbox);
    return {
      run,
      id: run.id,
      signal: canceled.signal,
      log(metrics, at) {
        if (canceled.signal.aborted) return;
        const time = Date.now();
        for (const [key, value] of Object.entries(metrics)) outbox.add({ key, value, time, ...at });
      },
      async print(text, stream = "stdout") {
        const lines = text.split("\n").map((line) => ({ stream, text: line }));
        const answer = await sendLogBatch((batchId) =>
          trpc.logs.append.mutate({ runId: run.id, batchId, lines }),
        );
        noteStatus(answer);
      },
      uploadArtifact: (path, source, kind) =>
        uploadArtifact({ url: opts.url, token: opts.token, runId: run.id, path, source, kind }),
      setResults: (results) => trpc.runs.setResults.mutate({ runId: run.id, results }),
      flush: () => outbox.flush(),
      get stats() {
        return outbox.stats;
      },
      async finish(status = "succeeded", error) {
        await outbox.flush();
        outboxes.delete(outbox);
        await outbox.close();
        // Everything is on the server: the run's spool folder (if an outage made one) is empty.
        rmSync(spoolDir, { recursive: true, force: true });
        if (canceled.signal.aborted) return trpc.runs.get.query({ runId: run.id });
        return trpc.runs.finish.mutate({ runId: run.id, status, error });
      },
    };
  }

  return {
    trpc,
    projects: {
      list: () => trpc.projects.list.query(),
      create: (input: RouterInputs["projects"]["create"]) => trpc.projects.create.mutate(input),
    },
    runs: {
      create: (input: RouterInputs["runs"]["create"]) => trpc.runs.create.mutate(input),
      get: (runId: string) => trpc.runs.get.query({ runId }),
      list: (input: RouterInputs["runs"]["list"]) => trpc.runs.list.query(input),
      update: (input: RouterInputs["runs"]["update"]) => trpc.runs.update.mutate(input),
      finish: (input: RouterInputs["runs"]["finish"]) => trpc.runs.finish.mutate(input),
    },
    metrics: {
      log: (runId: string, points: MetricPointInput[]) => trpc.metrics.log.mutate({ runId, points }),
      series: (input: RouterInputs["metrics"]["series"]) => trpc.metrics.series.query(input),
      keys: (runIds: string[]) => trpc.metrics.keys.query({ runIds }),
    },
    logs: {
      append: (input: RouterInputs["logs"]["append"]) => trpc.logs.append.mutate(input),
      tail: (input: RouterInputs["logs"]["tail"]) => trpc.logs.tail.query(input),
    },
    artifacts: {
      list: (runId: string, prefix?: string) => trpc.artifacts.list.query({ runId, prefix }),
      upload: (runId: string, path: string, source: string | Uint8Array, kind?: ArtifactKind) =>
        uploadArtifact({ url: opts.url, token: opts.token, runId, path, source, kind }),
      download: (runId: string, path: string) =>
        downloadArtifact({ url: opts.url, token: opts.token, runId, path }),
    },
    /** Starts an external run and returns a handle that logs to it. */
    async startRun(input: RouterInputs["runs"]["create"]): Promise<RunHandle> {
      return attach(await trpc.runs.create.mutate(input));
    },
    /** A handle on an existing run (e.g. `LABTRACK_RUN_ID` in a queued command). */
    async attachRun(runId: string): Promise<RunHandle> {
      return attach(await trpc.runs.get.query({ runId }));
    },
    /**
     * Live events; resumes after the last seen event id when the connection drops.
     * Returns a function that stops the subscription.
     */
    subscribe(
      input: LiveRunsInput,
      handlers: { onEvent: (event: LiveEvent, id: string) => void; onError?: (error: unknown) => void },
    ): () => void {
      const subscription = trpc.live.runs.subscribe(input, {
        onData: (tracked) => handlers.onEvent(tracked.data as LiveEvent, tracked.id),
        onError: handlers.onError,
      });
      return () => subscription.unsubscribe();
    },
    /** Stops background sending (points not yet sent stay in the spool folder) and disconnects. */
    async close() {
      await Promise.all([...outboxes].map((outbox) => outbox.close()));
      await close();
    },
  };
}
export type LabtrackClient = ReturnType<typeof createClient>;
