import { z } from "zod";
import { runId } from "./common.ts";
import { pgText } from "./pg-text.ts";

export const logStream = z.enum(["stdout", "stderr", "system"]);
export type LogStream = z.infer<typeof logStream>;

export const LOG_BATCH_MAX_LINES = 10_000;

export const logLine = z.object({
  stream: logStream.default("stdout"),
  text: z.string().max(64 * 1024),
  /** ms since the epoch; defaults to arrival time. */
  time: z.number().optional(),
  /** Client-chosen sequence number: re-sending the same seq stores nothing twice. */
  seq: z.int().min(0).optional(),
});

/** How a client names a log batch, so that sending it again stores nothing twice. */
export const logBatchId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, "letters, digits and . _ : - only");

export const logsAppendInput = z.object({
  runId,
  /**
   * The client's key for this batch (a random UUID): a batch sent again with the same key (its
   * answer was lost) is ignored. Lines without a `seq` need it to be safe to resend.
   */
  batchId: logBatchId.optional(),
  lines: z.array(logLine).min(1).max(LOG_BATCH_MAX_LINES, `at most ${LOG_BATCH_MAX_LINES} lines per call`),
});

export const storedLogLine = z.object({
  seq: z.number(),
  stream: logStream,
  text: z.string(),
  time: z.number(),
});
export type StoredLogLine = z.infer<typeof storedLogLine>;

export const logsTailInput = z.object({
  runId,
  /** Lines with seq greater than this; omit for the last `limit` lines. */
  afterSeq: z.int().optional(),
  limit: z.number().int().min(1).max(10_000).default(500),
  search: pgText().max(500).optional(),
});
