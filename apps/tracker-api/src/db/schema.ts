import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const projects = pgTable("projects", {
  id: serial("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  /** Free text (MLflow's experiment description, `mlflow.note.content`). */
  description: text("description"),
  /** Key/value tags (MLflow experiment tags). */
  tags: jsonb("tags").notNull().default({}),
  /** Set when the project is deleted (MLflow's `deleted` lifecycle stage); restoring clears it. */
  deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export const runs = pgTable(
  "runs",
  {
    id: uuid("id").primaryKey(),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id),
    name: text("name").notNull(),
    group: text("group"),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    /** Key/value tags (`mlflow.user`, `labtrack.source`, …), beside the label `tags`. */
    keyValueTags: jsonb("kv_tags").notNull().default({}),
    notes: text("notes"),
    status: text("status").notNull(),
    config: jsonb("config").notNull().default({}),
    results: jsonb("results").notNull().default({}),
    spec: jsonb("spec"),
    queue: text("queue"),
    priority: integer("priority").notNull().default(0),
    requirements: jsonb("requirements"),
    runner: text("runner"),
    /** The registration of the runner holding the run (`runners.id`), and which of its slots. */
    runnerId: uuid("runner_id"),
    runnerSlot: integer("runner_slot"),
    attempt: integer("attempt").notNull().default(1),
    maxAttempts: integer("max_attempts").notNull().default(3),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true, mode: "date" }),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true, mode: "date" }),
    error: text("error"),
    parentRunId: uuid("parent_run_id"),
    /** The sweep that queued the run, and which of its samples it is (0-based). */
    sweepId: uuid("sweep_id"),
    sweepIndex: integer("sweep_index"),
    /** Set when the run is deleted (MLflow's `deleted` lifecycle stage); restoring clears it. */
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
    /** Next server-assigned log sequence number. */
    logSeq: bigint("log_seq", { mode: "number" }).notNull().default(0),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("runs_project_created_idx").on(t.projectId, t.createdAt),
    index("runs_project_status_idx").on(t.projectId, t.status),
    index("runs_tags_idx").using("gin", t.tags),
    // The claim statement's scan: queued runs of a queue in the claim's exact order (best priority,
    // oldest, then id; NULLS FIRST is what a plain DESC means), so it reads them in order and stops at the first the slot can serve.
    index("runs_queued_pick_idx")
      .on(t.queue, t.priority.desc().nullsFirst(), t.createdAt, t.id)
      .where(sql`status = 'queued'`),
    // The same order across queues, for a runner serving several.
    index("runs_queued_order_idx")
      .on(t.priority.desc().nullsFirst(), t.createdAt, t.id)
      .where(sql`status = 'queued'`),
    index("runs_lease_idx").on(t.leaseExpiresAt).where(sql`lease_expires_at IS NOT NULL`),
    index("runs_runner_idx").on(t.runnerId),
    // A sweep's sample is queued once, whichever API process tries it.
    uniqueIndex("runs_sweep_index_idx").on(t.sweepId, t.sweepIndex).where(sql`sweep_id IS NOT NULL`),
  ],
);

/**
 * A hyperparameter sweep: its `config` is the validated sweep.yaml. What it has done is derived from
 * its runs (`runs.sweep_id`), so a restarted controller goes on where the last one stopped.
 */
export const sweeps = pgTable(
  "sweeps",
  {
    id: uuid("id").primaryKey(),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id),
    name: text("name").notNull(),
    method: text("method").notNull(),
    /** running, paused, finished, canceled. */
    status: text("status").notNull(),
    config: jsonb("config").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    index("sweeps_project_created_idx").on(t.projectId, t.createdAt),
    index("sweeps_running_idx").on(t.status).where(sql`status = 'running'`),
  ],
);

/** One row per (run, key, step): re-sending a point is a no-op. `run_id` leads, so it can be a shard key. */
export const metricPoints = pgTable(
  "metric_points",
  {
    runId: uuid("run_id").notNull(),
    key: text("key").notNull(),
    step: bigint("step", { mode: "number" }).notNull(),
    value: doublePrecision("value").notNull(),
    /** Wall time in ms since the epoch. */
    timeMs: doublePrecision("time_ms").notNull(),
    epoch: integer("epoch"),
    /**
     * The run's attempt when the point was written. A later attempt's point at a step replaces an
     * earlier attempt's (a retried run rewinds to its checkpoint); within one attempt the first write wins.
     */
    attempt: integer("attempt").notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.runId, t.key, t.step] })],
);

/** Where each retried attempt (2, 3, …) of a run began: the first step and time it logged. */
export const metricAttempts = pgTable(
  "metric_attempts",
  {
    runId: uuid("run_id").notNull(),
    attempt: integer("attempt").notNull(),
    firstStep: bigint("first_step", { mode: "number" }).notNull(),
    firstTimeMs: doublePrecision("first_time_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.attempt] })],
);

/** Running last/min/max of each (run, key), maintained by the ingest statement. NaN is ignored for min/max. */
export const metricSummaries = pgTable(
  "metric_summaries",
  {
    runId: uuid("run_id").notNull(),
    key: text("key").notNull(),
    firstStep: bigint("first_step", { mode: "number" }).notNull(),
    last: doublePrecision("last").notNull(),
    lastStep: bigint("last_step", { mode: "number" }).notNull(),
    min: doublePrecision("min"),
    minStep: bigint("min_step", { mode: "number" }),
    max: doublePrecision("max"),
    maxStep: bigint("max_step", { mode: "number" }),
    count: bigint("count", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.key] })],
);

/**
 * Pre-aggregated extremes of each series over aligned step blocks of several widths (16, 64, …,
 * 65,536 steps), kept up to date by the ingest statement. `metrics.series` reads these instead of
 * every point, so downsampling a 100,000-point series touches about two thousand rows.
 * `mn`/`mx` are `{value, step, time_ms, epoch}` of the block's minimum / maximum (mx holds -step so
 * ties pick the earliest step); NaN points are left out.
 */
export const metricRollups = pgTable(
  "metric_rollups",
  {
    runId: uuid("run_id").notNull(),
    key: text("key").notNull(),
    width: integer("width").notNull(),
    block: bigint("block", { mode: "number" }).notNull(),
    mn: doublePrecision("mn").array().notNull(),
    mx: doublePrecision("mx").array().notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.key, t.width, t.block] })],
);

export const runLogs = pgTable(
  "run_logs",
  {
    runId: uuid("run_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    stream: text("stream").notNull(),
    text: text("text").notNull(),
    timeMs: doublePrecision("time_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

/**
 * Log batches already stored, by the client's key: a batch sent again (its answer was lost) is
 * recognised and stores nothing twice.
 */
export const runLogBatches = pgTable(
  "run_log_batches",
  {
    runId: uuid("run_id").notNull(),
    batchId: text("batch_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.batchId] })],
);

export const artifacts = pgTable(
  "artifacts",
  {
    runId: uuid("run_id").notNull(),
    path: text("path").notNull(),
    kind: text("kind").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    contentType: text("content_type"),
    metadata: jsonb("metadata").notNull().default({}),
    /** The token that uploaded it (null: LABTRACK_ADMIN_TOKEN) and its scope (null: uploaded before this was recorded). */
    tokenId: integer("token_id"),
    tokenScope: text("token_scope"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.path] })],
);

export const apiTokens = pgTable("api_tokens", {
  id: serial("id").primaryKey(),
  name: text("name").notNull(),
  scope: text("scope").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  /** `[{ project, access }]` the token is limited to; null: every project. */
  projects: jsonb("projects"),
  createdAt: createdAt(),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
  revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
});

export const runEvents = pgTable(
  "run_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: uuid("run_id").notNull(),
    at: createdAt(),
    fromStatus: text("from_status"),
    toStatus: text("to_status").notNull(),
    actor: text("actor").notNull(),
    reason: text("reason"),
  },
  (t) => [index("run_events_run_idx").on(t.runId, t.id)],
);

/** One row per runner name; `id` changes on every registration (a restarted runner is a new session). */
export const runners = pgTable("runners", {
  id: uuid("id").primaryKey(),
  name: text("name").notNull().unique(),
  tokenId: integer("token_id"),
  hostname: text("hostname").notNull(),
  /** GPUs (index, name, memory), tfjs backends, CPU count, memory, version. */
  capabilities: jsonb("capabilities").notNull(),
  labels: text("labels").array().notNull().default(sql`'{}'::text[]`),
  queues: text("queues").array().notNull().default(sql`'{default}'::text[]`),
  /** `[{ index, gpuIndices }]` */
  slots: jsonb("slots").notNull().default([]),
  /** Latest per-GPU utilisation and memory, from the last heartbeat. */
  gpuStats: jsonb("gpu_stats").notNull().default([]),
  registeredAt: timestamp("registered_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  lastSeenAt: timestamp("last_seen_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  /** Set when the runner said goodbye (graceful shutdown). */
  stoppedAt: timestamp("stopped_at", { withTimezone: true, mode: "date" }),
});

/** Versioned, content-addressed datasets (`dataset:<name>[@version]`): a tar blob per version. */
export const datasets = pgTable(
  "datasets",
  {
    name: text("name").notNull(),
    version: integer("version").notNull(),
    sha256: text("sha256").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    fileCount: integer("file_count").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.name, t.version] }),
    uniqueIndex("datasets_name_sha256_idx").on(t.name, t.sha256),
  ],
);

/**
 * Every live event (metric batch, log lines, status change) in commit order, kept for a resume
 * window. `id` is the event id subscribers resume from on any API process: ids are taken under a
 * transaction advisory lock held to the commit, so a reader that sees id N sees every id below it.
 */
export const liveEvents = pgTable("live_events", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  project: text("project").notNull(),
  runId: uuid("run_id"),
  kind: text("kind").notNull(),
  /** The event as JSON (text: written and read whole, never queried into). */
  body: text("body").notNull(),
  createdAt: createdAt(),
});
