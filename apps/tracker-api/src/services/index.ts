import path from "node:path";
import type { Database } from "../db/client.ts";
import { createAccessService } from "./access.ts";
import { createArtifactService } from "./artifacts.ts";
import { type BlobStore, createLocalBlobStore } from "./blob-store.ts";
import { createDatasetService } from "./datasets.ts";
import { LiveEventBus } from "./live-events.ts";
import { createLogService } from "./logs.ts";
import { createMetricHistoryService } from "./metric-history.ts";
import { createMetricRelogService } from "./metric-relog.ts";
import { createMetricService } from "./metrics.ts";
import { createProjectRecordService } from "./project-records.ts";
import { createProjectService } from "./projects.ts";
import { createQueueService } from "./queue.ts";
import { createRunFieldService } from "./run-fields.ts";
import { createRunLookupService } from "./run-lookup.ts";
import { createRunnerService, DEFAULT_QUEUE_SETTINGS, type QueueSettings } from "./runners.ts";
import { createRunService } from "./runs.ts";
import { createScriptCancel } from "./script-cancel.ts";
import { createSweepController } from "./sweep-controller.ts";
import { createSweepService } from "./sweeps.ts";
import { createTokenService } from "./tokens.ts";

export interface ServicesOptions {
  database: Database;
  dataDir: string;
  /** Artifact and dataset bytes; default: a folder `<dataDir>/blobs`. */
  blobs?: BlobStore | undefined;
  envAdminToken?: string | undefined;
  /** Lease, heartbeat and reaper intervals; short in tests. */
  queueSettings?: Partial<QueueSettings> | undefined;
}

/** Every service, wired to one database, blob store and event bus. */
export function createServices(opts: ServicesOptions) {
  const bus = new LiveEventBus(opts.database);
  const projects = createProjectService(opts.database);
  const runs = createRunService(opts.database, projects, bus);
  const access = createAccessService(opts.database, runs);
  const metrics = createMetricService(opts.database, runs, bus);
  const logs = createLogService(opts.database, runs, bus);
  const blobs = opts.blobs ?? createLocalBlobStore(path.join(opts.dataDir, "blobs"));
  const artifacts = createArtifactService(opts.database, runs, blobs);
  const datasets = createDatasetService(opts.database, blobs);
  const queueSettings: QueueSettings = { ...DEFAULT_QUEUE_SETTINGS, ...opts.queueSettings };
  const queue = createQueueService(opts.database, runs, { scriptCancelMs: queueSettings.leaseMs });
  const scriptCancel = createScriptCancel(opts.database, runs);
  const runners = createRunnerService(opts.database, runs, queue, queueSettings);
  const projectRecords = createProjectRecordService(opts.database);
  const runFields = createRunFieldService(opts.database, runs);
  const runLookup = createRunLookupService(opts.database, runs);
  const metricRelog = createMetricRelogService(opts.database, metrics, logs);
  const metricHistory = createMetricHistoryService(opts.database);
  const tokens = createTokenService(opts.database, { envAdminToken: opts.envAdminToken });
  const sweepController = createSweepController(opts.database, runs, queue);
  const sweeps = createSweepService(opts.database, projects, queue, sweepController);

  /**
   * Follows, on this process's one listening connection, what other API processes of the
   * database announce: live events, queued work, revoked tokens. Resolves with a stop function.
   */
  async function watchCluster(onError: (error: unknown) => void): Promise<() => Promise<void>> {
    const stops = [await bus.watch(onError), await queue.signal.watch(), await tokens.watchRevocations()];
    return async () => {
      for (const stop of stops) await stop();
    };
  }
  return {
    watchCluster,
    database: opts.database,
    bus,
    access,
    projects,
    projectRecords,
    runs,
    runFields,
    runLookup,
    metrics,
    metricRelog,
    metricHistory,
    logs,
    artifacts,
    datasets,
    tokens,
    queue,
    scriptCancel,
    runners,
    queueSettings,
    sweepController,
    sweeps,
  };
}
export type Services = ReturnType<typeof createServices>;
