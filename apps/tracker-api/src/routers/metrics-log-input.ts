import {
  METRIC_KEY_MAX_CHARS,
  METRICS_BATCH_MAX_POINTS,
  type MetricPoint,
  metricsLogInput,
  PG_INT_MAX,
  pgTextProblem,
  runId as runIdSchema,
} from "@labtrack/schemas";
import type { z } from "zod";

type LogInput = z.input<typeof metricsLogInput>;
type LogOutput = z.output<typeof metricsLogInput>;

const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};
const WHITESPACE = /\s/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A key that `metricKey` surely takes: 1-256 UTF-16 units are 1-256 code points. */
function plainKey(key: unknown): key is string {
  return (
    typeof key === "string" &&
    key.length >= 1 &&
    key.length <= METRIC_KEY_MAX_CHARS &&
    !WHITESPACE.test(key) &&
    pgTextProblem(key) === null
  );
}

/**
 * The points of a batch as `metricPoint` parses them, or null as soon as one is not plainly
 * valid (a time given as a string, a value out of range, an odd key): zod then decides.
 */
function plainPoints(points: unknown): MetricPoint[] | null {
  if (!Array.isArray(points) || points.length < 1 || points.length > METRICS_BATCH_MAX_POINTS) return null;
  const keysSeen = new Set<string>();
  const out: MetricPoint[] = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const p: unknown = points[i];
    if (!isObject(p)) return null;
    const { key, step, value, time, epoch } = p;
    if (typeof key !== "string") return null;
    if (!keysSeen.has(key)) {
      if (!plainKey(key)) return null;
      keysSeen.add(key);
    }
    if (typeof step !== "number" || !Number.isSafeInteger(step) || step < 0) return null;
    let parsed: number;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return null;
      parsed = value;
    } else if (typeof value === "string" && Object.hasOwn(NON_FINITE, value)) parsed = NON_FINITE[value]!;
    else return null;
    const point: MetricPoint = { key, step, value: parsed };
    if (time !== undefined) {
      if (typeof time !== "number" || !Number.isFinite(time)) return null;
      point.time = time;
    }
    if (epoch !== undefined) {
      if (typeof epoch !== "number" || !Number.isSafeInteger(epoch) || epoch < 0 || epoch > PG_INT_MAX)
        return null;
      point.epoch = epoch;
    }
    out[i] = point;
  }
  return out;
}

/**
 * `metrics.log`'s input parser: `metricsLogInput`, with a hand-checked path for the batches
 * runners send (number times, plain keys), which parses 1,000 points in a fraction of zod's time.
 * The zod schema stays the one statement of the rules: whatever the fast path does not plainly
 * accept goes to it, so a bad batch gets zod's own 400, and the property test in
 * metrics-log-input.test.ts holds both to the same answers.
 */
export function parseMetricsLogInput(input: unknown): LogOutput {
  if (isObject(input)) {
    const { runId, points, attempt } = input;
    const plain = plainPoints(points);
    const attemptOk =
      attempt === undefined ||
      (typeof attempt === "number" && Number.isSafeInteger(attempt) && attempt >= 1 && attempt <= 100);
    if (plain && attemptOk && runIdSchema.safeParse(runId).success) {
      const out: LogOutput = { runId: runId as string, points: plain };
      if (attempt !== undefined) out.attempt = attempt as number;
      return out;
    }
  }
  return metricsLogInput.parse(input);
}

/** The parser as tRPC takes it, typed like the schema (so clients infer the same input). */
export const metricsLogInputParser = {
  _input: undefined as unknown as LogInput,
  _output: undefined as unknown as LogOutput,
  parse: parseMetricsLogInput,
};
