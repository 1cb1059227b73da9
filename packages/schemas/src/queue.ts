import { z } from "zod";
import { jsonObject, projectSlug, runId } from "./common.ts";
import { PG_INT_MAX, pgText } from "./pg-text.ts";
import { keyValueTags, runGroup, runName, tag } from "./run.ts";
import { queueName, runnerLabel, tfjsBackend } from "./runner.ts";
import { experimentSpec } from "./spec.ts";

/** What a runner slot must offer to take a run. */
export const runRequirements = z.object({
  gpus: z.int().min(0).max(64).default(0).describe("GPUs the run needs in its slot (0: any slot)."),
  minGpuMemoryMb: z
    .int()
    .min(0)
    .max(PG_INT_MAX)
    .optional()
    .describe("Each of the slot's GPUs must have this much memory."),
  backend: tfjsBackend.optional().describe("A tfjs backend the runner must be able to load."),
  labels: z.array(runnerLabel).max(32).default([]).describe("Labels the runner must all carry."),
});
export type RunRequirements = z.output<typeof runRequirements>;

export const DEFAULT_QUEUE = "default";

export const queueEnqueueInput = z.object({
  project: projectSlug,
  name: runName.optional(),
  group: runGroup.optional(),
  tags: z.array(tag).max(64).default([]),
  /** Stored with the run in the same insert (the AMQP bridge keeps its message id here). */
  keyValueTags: keyValueTags.optional(),
  /** Hyperparameters shown as columns; an image-classifier spec is added to them flattened. */
  config: jsonObject.default({}),
  notes: pgText().max(100_000).optional(),
  spec: experimentSpec,
  queue: queueName.default(DEFAULT_QUEUE),
  priority: z.int().min(-1000).max(1000).default(0),
  requirements: runRequirements.prefault({}),
  maxAttempts: z.int().min(1).max(100).default(3),
});
export type QueueEnqueueInput = z.input<typeof queueEnqueueInput>;

export const queueListInput = z
  .object({
    queue: queueName.optional(),
    project: projectSlug.optional(),
    limit: z.int().min(1).max(1000).default(200),
  })
  .prefault({});

export const queuedRunEntry = z.object({
  /** 1 for the run that starts next in its queue. */
  position: z.number(),
  id: runId,
  project: z.string(),
  name: z.string(),
  queue: z.string(),
  priority: z.number(),
  attempt: z.number(),
  requirements: runRequirements,
  createdAt: z.string(),
});
export type QueuedRunEntry = z.infer<typeof queuedRunEntry>;

export const runsCancelInput = z.object({ runId, reason: pgText().max(1000).optional() });

export const runsCloneInput = z.object({
  runId,
  name: runName.optional(),
  /** Deep-merged into the source run's spec (objects merge, other values replace); validated again. */
  specChanges: jsonObject.optional(),
  queue: queueName.optional(),
  priority: z.int().min(-1000).max(1000).optional(),
  requirements: runRequirements.partial().optional(),
  tags: z.array(tag).max(64).optional(),
});
export type RunsCloneInput = z.input<typeof runsCloneInput>;
