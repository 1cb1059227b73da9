import { z } from "zod";
import { jsonObject, jsonValue, projectSlug, runId } from "./common.ts";
import { metricSummary } from "./metric.ts";
import { pgText } from "./pg-text.ts";

export const runStatus = z.enum([
  "queued",
  "running",
  "canceling",
  "succeeded",
  "failed",
  "canceled",
  "lost",
]);
export type RunStatus = z.infer<typeof runStatus>;

export const tag = pgText()
  .min(1)
  .max(64)
  .regex(/^[^\s,]+$/, "must not contain spaces or commas");
export const runName = pgText().min(1).max(200);
export const runGroup = pgText().min(1).max(200);

/** Key/value tags (`mlflow.user`, `labtrack.source`, …), apart from the label `tags`; limits as MLflow's. */
export const keyValueTagKey = pgText().min(1).max(250);
export const keyValueTagValue = pgText().max(8000);
export const keyValueTags = z
  .record(keyValueTagKey, keyValueTagValue)
  .refine((tags) => Object.keys(tags).length <= 1000, "at most 1000 key/value tags");

export const runsCreateInput = z.object({
  project: projectSlug,
  name: runName.optional(),
  group: runGroup.optional(),
  tags: z.array(tag).max(64).default([]),
  keyValueTags: keyValueTags.optional(),
  /** Hyperparameters; nested objects are flattened to dotted keys ("optimizer.lr"). */
  config: jsonObject.default({}),
  notes: pgText().max(100_000).optional(),
});
export type RunsCreateInput = z.input<typeof runsCreateInput>;

export const run = z.object({
  id: runId,
  project: z.string(),
  name: z.string(),
  group: z.string().nullable(),
  tags: z.array(z.string()),
  keyValueTags: z.record(z.string(), z.string()),
  notes: z.string().nullable(),
  status: runStatus,
  config: z.record(z.string(), jsonValue),
  summary: z.record(z.string(), metricSummary),
  /** Non-metric results a run reports: test-split metrics, confusion matrix, backend, thresholds. */
  results: z.record(z.string(), jsonValue),
  spec: jsonValue.nullable(),
  queue: z.string().nullable(),
  priority: z.number(),
  runner: z.string().nullable(),
  attempt: z.number(),
  error: z.string().nullable(),
  parentRunId: runId.nullable(),
  /** The sweep that queued the run (its id and name); null for a run of no sweep. */
  sweep: z.object({ id: z.string(), name: z.string() }).nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  updatedAt: z.string(),
  /** Set when the run was deleted (through the MLflow API); runs.list leaves deleted runs out. */
  deletedAt: z.string().nullable(),
});
export type Run = z.infer<typeof run>;

export const runsGetInput = z.object({ runId });

export const sortDirection = z.enum(["asc", "desc"]);

export const runsListInput = z.object({
  project: projectSlug,
  status: z.array(runStatus).optional(),
  group: pgText().max(200).optional(),
  tag: pgText().max(64).optional(),
  /** Filter expression, e.g. `config.lr < 0.01 and summary.val_accuracy.max > 0.9`. */
  filter: pgText().max(4000).optional(),
  /** `createdAt`, `name`, `status`, `config.<key>` or `summary.<key>.<last|min|max>`. */
  sort: z
    .object({ field: pgText().min(1).max(300), direction: sortDirection.default("desc") })
    .default({ field: "createdAt", direction: "desc" }),
  limit: z.number().int().min(1).max(1000).default(100),
  /** The `nextCursor` of the page before (it holds that page's last sort key values and run id). */
  cursor: z.string().max(4096).optional(),
});
export type RunsListInput = z.input<typeof runsListInput>;

export const runsListOutput = z.object({
  runs: z.array(run),
  nextCursor: z.string().nullable(),
  total: z.number(),
});

/** A point in time on the wire: ms since the epoch or an ISO-8601 string with offset. */
export const runTime = z
  .union([z.number().int().min(0).max(8.64e15), z.iso.datetime({ offset: true })])
  .transform((v) => new Date(v));

export const runsUpdateInput = z.object({
  runId,
  name: runName.optional(),
  tags: z.array(tag).max(64).optional(),
  notes: pgText().max(100_000).nullable().optional(),
  /** Merged into the run's key/value tags. */
  setKeyValueTags: keyValueTags.optional(),
  /** Removed from the run's key/value tags (after `setKeyValueTags`). */
  deleteKeyValueTags: z.array(keyValueTagKey).max(1000).optional(),
  /**
   * When the run really started and (once finished) ended, ms since the epoch or ISO-8601: a run
   * imported from log files takes the time range of its events.
   */
  startedAt: runTime.optional(),
  finishedAt: runTime.optional(),
});

export const runsFinishInput = z.object({
  runId,
  status: z.enum(["succeeded", "failed"]),
  error: pgText().max(100_000).optional(),
  /** Merged into the run's results. */
  results: jsonObject.optional(),
});

/** Merge keys into a run's results (a key set to null is removed). */
export const runsSetResultsInput = z.object({
  runId,
  results: jsonObject,
});

export const runEvent = z.object({
  id: z.number(),
  runId,
  at: z.string(),
  from: runStatus.nullable(),
  to: runStatus,
  actor: z.string(),
  reason: z.string().nullable(),
});
export type RunEvent = z.infer<typeof runEvent>;
