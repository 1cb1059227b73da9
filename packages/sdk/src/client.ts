import type { ArtifactKind, LiveEvent, LiveRunsInput, MetricPointInput } from "@labtrack/schemas";
import type { RouterInputs, RouterOutputs } from "@labtrack/tracker-api";
import { downloadArtifact, uploadArtifact } from "./artifact-transfer.ts";
import { MetricBatcher } from "./metric-batcher.ts";
import { shouldRetrySend } from "./send-failure.ts";
import { type ClientOptions, createTrpcClient } from "./trpc-client.ts";

export type Run = RouterOutputs["runs"]["get"];

export interface RunHandle {
  readonly run: Run;
  readonly id: string;
  /** Buffers metrics for the background flush: `log({ "train/loss": 0.3 }, { step: 10, epoch: 1 })`. */
  log(metrics: Record<string, number>, at: { step: number; epoch?: number }): void;
  /** Appends text lines to the run's logs. */
  print(text: string, stream?: "stdout" | "stderr"): Promise<void>;
  uploadArtifact(
    path: string,
    source: string | Uint8Array,
    kind?: ArtifactKind,
  ): ReturnType<typeof uploadArtifact>;
  setResults(results: RouterInputs["runs"]["setResults"]["results"]): Promise<Run>;
  flush(): Promise<void>;
  /**
   * Aborted once the server answers that the run was canceled (from the dashboard or the API):
   * stop training when it fires; later `log` calls are dropped and `finish` leaves it canceled.
   */
  readonly signal: AbortSignal;
  /** Flushes, then marks the run succeeded or failed (a canceled run stays canceled). */
  finish(status?: "succeeded" | "failed", error?: string): Promise<Run>;
}

/** The typed Labtrack client for Node: runs, batched metrics, logs, artifacts, live events. */
export function createClient(opts: ClientOptions & { flushIntervalMs?: number; maxBatch?: number }) {
  const { trpc, close } = createTrpcClient(opts);

  function attach(run: Run): RunHandle {
    const canceled = new AbortController();
    const noteStatus = (answer: { runStatus: string }) => {
      if (answer.runStatus === "canceled" && !canceled.signal.aborted)
        canceled.abort(new Error("run canceled"));
    };
    const batcher = new MetricBatcher({
      send: async (points: MetricPointInput[]) => {
        noteStatus(await trpc.metrics.log.mutate({ runId: run.id, points }));
      },
      flushIntervalMs: opts.flushIntervalMs,
      maxBatch: opts.maxBatch,
    });
    /** Flushes through an outage (retrying with backoff); throws only what the server refused. */
    async function flushPatiently(): Promise<void> {
      for (let failures = 1; ; failures++) {
        try {
          return await batcher.flush();
        } catch (error) {
          if (!shouldRetrySend(error, failures)) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** failures, 5_000)));
        }
      }
    }
    return {
      run,
      id: run.id,
      signal: canceled.signal,
      log(metrics, at) {
        if (canceled.signal.aborted) return;
        const time = Date.now();
        for (const [key, value] of Object.entries(metrics)) batcher.add({ key, value, time, ...at });
      },
      async print(text, stream = "stdout") {
        const answer = await trpc.logs.append.mutate({
          runId: run.id,
          lines: text.split("\n").map((line) => ({ stream, text: line })),
        });
        noteStatus(answer);
      },
      uploadArtifact: (path, source, kind) =>
        uploadArtifact({ url: opts.url, token: opts.token, runId: run.id, path, source, kind }),
      setResults: (results) => trpc.runs.setResults.mutate({ runId: run.id, results }),
      flush: flushPatiently,
      async finish(status = "succeeded", error) {
        await flushPatiently();
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
    close,
  };
}
export type LabtrackClient = ReturnType<typeof createClient>;
