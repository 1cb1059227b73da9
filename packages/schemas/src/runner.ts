import { z } from "zod";
import { pgText } from "./pg-text.ts";
import { run } from "./run.ts";

/** tfjs backends a runner may be able to load, fastest first. */
export const tfjsBackend = z.enum(["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"]);
export type TfjsBackend = z.infer<typeof tfjsBackend>;

export const runnerName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, '.', '_' or '-'");

export const runnerLabel = pgText()
  .min(1)
  .max(64)
  .regex(/^[^\s,]+$/, "must not contain spaces or commas");

export const queueName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lower-case letters, digits, '-' or '_'");

/** One GPU as the runner sees it (from `nvidia-smi`). */
export const gpuInfo = z.object({
  index: z.int().min(0).max(1023),
  name: pgText().max(256),
  memoryMb: z.number().min(0),
  uuid: pgText().max(256).optional(),
});
export type GpuInfo = z.infer<typeof gpuInfo>;

export const runnerCapabilities = z.object({
  hostname: pgText().max(255),
  gpus: z.array(gpuInfo).max(64),
  backends: z.array(tfjsBackend),
  cpus: z.int().min(1),
  memoryMb: z.number().min(0),
  labels: z.array(runnerLabel).max(64).default([]),
  version: pgText().max(64).optional(),
});
export type RunnerCapabilities = z.input<typeof runnerCapabilities>;

/** A slot runs one run at a time: a set of GPUs (CUDA_VISIBLE_DEVICES) or a CPU slot (no GPU). */
export const runnerSlot = z.object({
  index: z.int().min(0).max(1023),
  gpuIndices: z.array(z.int().min(0).max(1023)).max(64),
});
export type RunnerSlot = z.infer<typeof runnerSlot>;

export const runnersRegisterInput = z.object({
  name: runnerName,
  capabilities: runnerCapabilities,
  queues: z.array(queueName).min(1).max(64).default(["default"]),
  slots: z.array(runnerSlot).min(1).max(256),
});
export type RunnersRegisterInput = z.input<typeof runnersRegisterInput>;

export const runnersRegisterOutput = z.object({
  runnerId: z.uuid(),
  leaseMs: z.number(),
  heartbeatMs: z.number(),
});
export type RunnersRegisterOutput = z.infer<typeof runnersRegisterOutput>;

/** Live readings of one GPU. */
export const gpuStats = z.object({
  index: z.int().min(0),
  utilizationPercent: z.number().min(0).max(100).nullable(),
  memoryUsedMb: z.number().min(0).nullable(),
  memoryMb: z.number().min(0).nullable(),
});
export type GpuStats = z.infer<typeof gpuStats>;

export const runnersHeartbeatInput = z.object({
  runnerId: z.uuid(),
  /** Runs this runner is executing right now; their leases are extended. */
  runIds: z.array(z.uuid()).max(256),
  gpus: z.array(gpuStats).max(64).default([]),
});

export const runnersHeartbeatOutput = z.object({
  /** Runs the user asked to cancel: stop them and report `canceled`. */
  cancel: z.array(z.uuid()),
  /** Runs this runner no longer holds (lease lost, finished elsewhere): stop them, report nothing. */
  release: z.array(z.uuid()),
});
export type RunnersHeartbeatOutput = z.infer<typeof runnersHeartbeatOutput>;

export const runnersClaimInput = z.object({
  runnerId: z.uuid(),
  slot: z.int().min(0).max(1023),
  /** Wait up to this long for a run to be queued before answering null (long-poll). */
  waitMs: z.int().min(0).max(60_000).default(0),
});

/** A claimed run, with what the runner hands the run's process (MLFLOW_EXPERIMENT_ID is `projectId`). */
export const claimedRun = run.extend({
  /** The project's numeric id: the run's MLflow experiment id, as a decimal string in the env. */
  projectId: z.int().min(0),
});
export type ClaimedRun = z.infer<typeof claimedRun>;

/** How a runner ends a run it holds. `requeue` hands it back to the queue (runner shutting down). */
export const runnersReportInput = z.object({
  runnerId: z.uuid(),
  runId: z.uuid(),
  outcome: z.enum(["succeeded", "failed", "canceled", "requeue"]),
  exitCode: z.int().nullable().optional(),
  error: pgText().max(100_000).optional(),
});
export type RunnersReportInput = z.input<typeof runnersReportInput>;

export const runnerSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  hostname: z.string(),
  online: z.boolean(),
  lastSeenAt: z.string(),
  registeredAt: z.string(),
  queues: z.array(z.string()),
  labels: z.array(z.string()),
  backends: z.array(z.string()),
  cpus: z.number(),
  memoryMb: z.number(),
  gpus: z.array(
    gpuInfo.extend({
      utilizationPercent: z.number().nullable(),
      memoryUsedMb: z.number().nullable(),
    }),
  ),
  slots: z.array(
    z.object({
      index: z.number(),
      gpuIndices: z.array(z.number()),
      run: z.object({ id: z.uuid(), name: z.string(), project: z.string(), status: z.string() }).nullable(),
    }),
  ),
});
export type RunnerSummary = z.infer<typeof runnerSummary>;

export const runnersListInput = z
  .object({ includeOffline: z.boolean().default(true) })
  .default({ includeOffline: true });
