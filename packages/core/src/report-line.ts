import {
  type ArtifactKind,
  artifactKind,
  type JsonValue,
  METRIC_KEY_MAX_CHARS,
  metricKey,
  PG_INT_MAX,
  toWireNumber,
} from "@labtrack/schemas";

/** A stdout line starting with this is a report to Labtrack rather than ordinary output. */
export const REPORT_LINE_PREFIX = "@labtrack ";

export type ReportLine = {
  step?: number;
  epoch?: number;
  metrics: Record<string, number>;
  results?: Record<string, JsonValue>;
  artifact?: { path: string; kind: ArtifactKind };
};

export class ReportLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReportLineError";
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const NON_FINITE = new Map<string, number>([
  ["nan", Number.NaN],
  ["+nan", Number.NaN],
  ["-nan", Number.NaN],
  ["inf", Number.POSITIVE_INFINITY],
  ["+inf", Number.POSITIVE_INFINITY],
  ["infinity", Number.POSITIVE_INFINITY],
  ["+infinity", Number.POSITIVE_INFINITY],
  ["-inf", Number.NEGATIVE_INFINITY],
  ["-infinity", Number.NEGATIVE_INFINITY],
]);
const JSON_FIELDS = new Set(["step", "epoch", "metrics", "results", "artifact"]);
const KINDS: readonly string[] = artifactKind.options;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The server's own rule for metric keys, so a line the runner accepts is one the server stores. */
function checkMetricKey(key: string): void {
  if (!metricKey.safeParse(key).success) {
    throw new ReportLineError(
      `metric key ${JSON.stringify(key)} must be 1-${METRIC_KEY_MAX_CHARS} characters without whitespace, NUL or unpaired surrogates`,
    );
  }
}

/** Epochs are stored as Postgres integers, steps as bigints (up to 2^53 here). */
const COUNTER_MAX = { step: Number.MAX_SAFE_INTEGER, epoch: PG_INT_MAX } as const;

function checkCounter(name: "step" | "epoch", value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > COUNTER_MAX[name]) {
    throw new ReportLineError(
      `${name} must be an integer from 0 to ${COUNTER_MAX[name]}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Parses a shorthand metric value: a decimal number or a spelling of NaN / ±Infinity. */
function parseShorthandNumber(text: string): number | undefined {
  if (NUMBER.test(text)) return Number(text);
  return NON_FINITE.get(text.toLowerCase());
}

function parseShorthand(body: string): ReportLine {
  const report: ReportLine = { metrics: {} };
  for (const part of body.split(/\s+/)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new ReportLineError(`expected key=value, got '${part}'`);
    const key = part.slice(0, eq);
    const text = part.slice(eq + 1);
    if (key === "step" || key === "epoch") {
      const n = NUMBER.test(text) ? Number(text) : Number.NaN;
      report[key] = checkCounter(key, Number.isNaN(n) ? text : n);
      continue;
    }
    checkMetricKey(key);
    const value = parseShorthandNumber(text);
    if (value === undefined)
      throw new ReportLineError(`metric '${key}' has value '${text}', which is not a number`);
    report.metrics[key] = value;
  }
  return report;
}

function parseMetricValue(key: string, value: unknown): number {
  if (typeof value === "number") return value;
  if (value === "NaN" || value === "Infinity" || value === "-Infinity") return Number(value);
  throw new ReportLineError(
    `metric '${key}' must be a number or "NaN", "Infinity", "-Infinity", got ${JSON.stringify(value)}`,
  );
}

function parseArtifact(value: unknown): { path: string; kind: ArtifactKind } {
  if (!isObject(value)) throw new ReportLineError("artifact must be an object with a path");
  for (const key of Object.keys(value)) {
    if (key !== "path" && key !== "kind") throw new ReportLineError(`unknown artifact field '${key}'`);
  }
  const { path, kind = "file" } = value;
  if (typeof path !== "string" || path === "")
    throw new ReportLineError("artifact.path must be a non-empty string");
  if (typeof kind !== "string" || !KINDS.includes(kind)) {
    throw new ReportLineError(
      `artifact.kind must be one of ${KINDS.join(", ")}, got ${JSON.stringify(kind)}`,
    );
  }
  return { path, kind: kind as ArtifactKind };
}

function parseJson(body: string): ReportLine {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    throw new ReportLineError(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(data)) throw new ReportLineError("the JSON report must be an object");
  for (const key of Object.keys(data)) {
    if (!JSON_FIELDS.has(key)) {
      throw new ReportLineError(
        `unknown field '${key}' (expected step, epoch, metrics, results or artifact)`,
      );
    }
  }
  const report: ReportLine = { metrics: {} };
  if (data.step !== undefined) report.step = checkCounter("step", data.step);
  if (data.epoch !== undefined) report.epoch = checkCounter("epoch", data.epoch);
  if (data.metrics !== undefined) {
    if (!isObject(data.metrics)) throw new ReportLineError("metrics must be an object of key: number");
    for (const [key, value] of Object.entries(data.metrics)) {
      checkMetricKey(key);
      report.metrics[key] = parseMetricValue(key, value);
    }
  }
  if (data.results !== undefined) {
    if (!isObject(data.results)) throw new ReportLineError("results must be an object");
    // Parsed from JSON, so every value is a JSON value.
    report.results = data.results as Record<string, JsonValue>;
  }
  if (data.artifact !== undefined) report.artifact = parseArtifact(data.artifact);
  return report;
}

/**
 * Parses one stdout line. Returns null when the line is not a report (no prefix); throws
 * `ReportLineError` naming the bad part when a prefixed line is malformed.
 */
export function parseReportLine(line: string): ReportLine | null {
  const text = line.replace(/\r?\n$/, "");
  if (!text.startsWith(REPORT_LINE_PREFIX)) return null;
  const body = text.slice(REPORT_LINE_PREFIX.length).trim();
  if (body === "") throw new ReportLineError("empty report after '@labtrack'");
  return body.startsWith("{") ? parseJson(body) : parseShorthand(body);
}

/** Writes a report in the JSON form; non-finite metric values are written as their names. */
export function formatReportLine(report: ReportLine): string {
  const out: Record<string, unknown> = {};
  if (report.step !== undefined) out.step = report.step;
  if (report.epoch !== undefined) out.epoch = report.epoch;
  const metrics = Object.entries(report.metrics);
  if (metrics.length > 0) out.metrics = Object.fromEntries(metrics.map(([k, v]) => [k, toWireNumber(v)]));
  if (report.results !== undefined) out.results = report.results;
  if (report.artifact !== undefined) out.artifact = report.artifact;
  return `${REPORT_LINE_PREFIX}${JSON.stringify(out)}`;
}
