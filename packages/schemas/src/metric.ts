import { z } from "zod";
import { runId } from "./common.ts";
import { PG_INT_MAX, pgText } from "./pg-text.ts";

/** Limits on one `metrics.log` call; larger batches are refused with a clear error. */
export const METRICS_BATCH_MAX_POINTS = 10_000;
export const REQUEST_BODY_MAX_BYTES = 8 * 1024 * 1024;

/** JSON has no NaN or infinities, so they travel as these strings. */
export const nonFiniteName = z.enum(["NaN", "Infinity", "-Infinity"]);

/** A metric value on the wire: a number, or one of the non-finite names. Parsed to a JS number. */
export const metricValue = z
  .union([z.number(), nonFiniteName])
  .transform((v) => (typeof v === "number" ? v : Number(v)));

/** A number as it must be written to JSON: non-finite numbers become their names. */
export type WireNumber = number | z.infer<typeof nonFiniteName>;
export function toWireNumber(v: number): WireNumber {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return "NaN";
  return v > 0 ? "Infinity" : "-Infinity";
}
export function fromWireNumber(v: WireNumber): number {
  return typeof v === "number" ? v : Number(v);
}

/** 1-256 characters (code points, as everywhere), no whitespace; see `charLength`. */
export const METRIC_KEY_MAX_CHARS = 256;
export const metricKey = pgText()
  .min(1)
  .max(METRIC_KEY_MAX_CHARS)
  .refine((key) => !/\s/.test(key), "must not contain whitespace");

export const metricStep = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const metricPoint = z.object({
  key: metricKey,
  step: metricStep,
  value: metricValue,
  /** Wall time of the measurement, ms since the epoch or ISO string; defaults to arrival time. */
  time: z.union([z.number(), z.iso.datetime({ offset: true })]).optional(),
  epoch: z.int().min(0).max(PG_INT_MAX).optional(),
});
export type MetricPointInput = z.input<typeof metricPoint>;
export type MetricPoint = z.output<typeof metricPoint>;

export const metricsLogInput = z.object({
  runId,
  points: z
    .array(metricPoint)
    .min(1)
    .max(METRICS_BATCH_MAX_POINTS, `at most ${METRICS_BATCH_MAX_POINTS} points per call`),
  /**
   * The run's attempt that produced these points (a runner knows the attempt it claimed). Without
   * it, the run's attempt at the time of the write. Points of an earlier attempt than one already
   * stored at a step do not replace it: a runner replaying a lost attempt's spool changes nothing
   * the next attempt wrote.
   */
  attempt: z.int().min(1).max(100).optional(),
});
export type MetricsLogInput = z.input<typeof metricsLogInput>;

export const metricsLogOutput = z.object({
  /** Points stored by this call; points already stored (same run, key and step) are not counted. */
  inserted: z.number(),
  received: z.number(),
});

export const MAX_SERIES_RUNS = 100;
export const MAX_SERIES_KEYS = 64;

export const metricsSeriesInput = z.object({
  runIds: z.array(runId).min(1).max(MAX_SERIES_RUNS),
  keys: z.array(metricKey).min(1).max(MAX_SERIES_KEYS),
  maxPoints: z.number().int().min(10).max(20_000).default(1000),
  /** Restrict to a step window, to fetch detail when a chart is zoomed in. */
  stepMin: metricStep.optional(),
  stepMax: metricStep.optional(),
});
export type MetricsSeriesInput = z.input<typeof metricsSeriesInput>;

/** One series, columnar. Points are in step order; `time` is ms since the epoch. */
export const metricSeries = z.object({
  runId,
  key: z.string(),
  steps: z.array(z.number()),
  values: z.array(z.union([z.number(), nonFiniteName])),
  times: z.array(z.number()),
  epochs: z.array(z.number().nullable()),
  /**
   * The run's attempt each point was written by (1, or 2, 3, … for a run that was lost and queued
   * again): a later attempt's point at a step replaces an earlier attempt's.
   */
  attempts: z.array(z.number()),
  /** Number of points in the (windowed) series before downsampling. */
  total: z.number(),
  downsampled: z.boolean(),
});
export type MetricSeries = z.infer<typeof metricSeries>;

/** Points of one key, as pushed live (columnar, step order). */
export const metricSeriesChunk = metricSeries.pick({
  key: true,
  steps: true,
  values: true,
  times: true,
  epochs: true,
  attempts: true,
});
export type MetricSeriesChunk = z.infer<typeof metricSeriesChunk>;

export const metricsAttemptsInput = z.object({ runId });
/**
 * Where one attempt of a run began: the first step it logged and that point's time (ms since the
 * epoch). Attempt 2 of a run that was lost and queued again usually starts at its checkpoint's step.
 */
export const metricAttemptStart = z.object({
  attempt: z.number(),
  firstStep: z.number(),
  firstTime: z.number(),
});
export type MetricAttemptStart = z.infer<typeof metricAttemptStart>;

export const metricsKeysInput = z.object({ runIds: z.array(runId).min(1).max(1000) });
export const metricKeyInfo = z.object({ key: z.string(), runs: z.number(), points: z.number() });

/** Per-key running summary, kept up to date on ingest. */
export const metricSummary = z.object({
  last: z.union([z.number(), nonFiniteName]),
  lastStep: z.number(),
  min: z.union([z.number(), nonFiniteName]).nullable(),
  minStep: z.number().nullable(),
  max: z.union([z.number(), nonFiniteName]).nullable(),
  maxStep: z.number().nullable(),
  count: z.number(),
});
export type MetricSummary = z.infer<typeof metricSummary>;
