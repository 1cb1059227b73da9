import path from "node:path";
import { parseReportLine, ReportLineError } from "@labtrack/core";
import type { ArtifactKind, JsonValue, LogStream } from "@labtrack/schemas";
import { metricPoint, toWireNumber } from "@labtrack/schemas";
import type { OutboxEntry } from "./outbox.ts";

/** Log lines of attempt N are numbered from (N - 1) x this, so a retried run never reuses a seq. */
export const LOG_SEQ_PER_ATTEMPT = 1_000_000_000;
const MAX_LINE = 64 * 1024 - 1;

export interface RunOutputOptions {
  runId: string;
  attempt: number;
  artifactsDir: string;
  append: (entry: OutboxEntry) => void;
}

/**
 * Turns a run's output into outbox entries: stdout lines starting with `@labtrack ` become metrics,
 * results or an artifact upload; every other line becomes a log line with its own `seq`.
 * A step a report leaves out is its epoch, or the step after the last one seen.
 */
export class RunOutput {
  private seq: number;
  private lastStep = -1;
  private pendingLines: Extract<OutboxEntry, { t: "logs" }>["lines"] = [];
  private flushScheduled = false;
  /** Artifacts the run reported, with the kind it gave them. */
  readonly reportedArtifacts = new Map<string, ArtifactKind>();

  constructor(private readonly opts: RunOutputOptions) {
    this.seq = (opts.attempt - 1) * LOG_SEQ_PER_ATTEMPT;
  }

  line(stream: LogStream, text: string): void {
    // A well-formed report line is data, not output: it becomes metrics, results or an artifact.
    if (stream === "stdout" && this.handleReport(text)) return;
    const clipped = text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 1)}…` : text;
    this.pendingLines.push({ stream, text: clipped, time: Date.now(), seq: this.seq++ });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushLogs());
    }
  }

  system(text: string): void {
    this.line("system", text);
  }

  /** Writes buffered log lines (lines from one chunk of output travel as one entry). */
  flushLogs(): void {
    this.flushScheduled = false;
    if (this.pendingLines.length === 0) return;
    const lines = this.pendingLines;
    this.pendingLines = [];
    this.opts.append({ t: "logs", runId: this.opts.runId, lines });
  }

  metrics(
    values: Record<string, number>,
    at: { step?: number | undefined; epoch?: number | undefined },
  ): void {
    const step = at.step ?? at.epoch ?? this.lastStep + 1;
    if (Number.isSafeInteger(step) && step >= 0) this.lastStep = Math.max(this.lastStep, step);
    const time = Date.now();
    const points = Object.entries(values).map(([key, value]) => ({
      key,
      step,
      value: toWireNumber(value),
      time,
      ...(at.epoch !== undefined && { epoch: at.epoch }),
    }));
    // The server's own schema: a point it would refuse is set aside here, with a line saying why,
    // instead of travelling in a batch the server refuses whole.
    const accepted = points.filter((point) => {
      const checked = metricPoint.safeParse(point);
      if (checked.success) return true;
      const issue = checked.error.issues[0];
      this.system(
        `@labtrack metric ignored: ${point.key} at step ${point.step}: ${issue?.path.join(".") ?? "point"}: ${issue?.message ?? "invalid"}`,
      );
      return false;
    });
    if (accepted.length > 0)
      this.opts.append({
        t: "metrics",
        runId: this.opts.runId,
        points: accepted,
        attempt: this.opts.attempt,
      });
  }

  results(results: Record<string, JsonValue>): void {
    this.flushLogs();
    this.opts.append({ t: "results", runId: this.opts.runId, results });
  }

  /** Queues the upload of a file under the artifacts folder (`relative` uses `/`). */
  artifact(relative: string, kind: ArtifactKind): void {
    const normalized = path.posix.normalize(relative.replaceAll("\\", "/"));
    if (normalized.startsWith("../") || normalized === ".." || path.posix.isAbsolute(normalized)) {
      this.system(`@labtrack artifact ignored: '${relative}' is outside LABTRACK_ARTIFACTS_DIR`);
      return;
    }
    this.flushLogs();
    this.reportedArtifacts.set(normalized, kind);
    this.opts.append({
      t: "artifact",
      runId: this.opts.runId,
      path: normalized,
      kind,
      file: path.join(this.opts.artifactsDir, normalized),
    });
  }

  /** True when the line was a report and has been handled. */
  private handleReport(text: string): boolean {
    let report: ReturnType<typeof parseReportLine>;
    try {
      report = parseReportLine(text);
    } catch (error) {
      if (!(error instanceof ReportLineError)) throw error;
      // Kept as output, followed by why it was not taken as a report.
      queueMicrotask(() => this.system(`@labtrack line ignored: ${error.message}`));
      return false;
    }
    if (!report) return false;
    this.metrics(report.metrics, { step: report.step, epoch: report.epoch });
    if (report.results) this.results(report.results);
    if (report.artifact) this.artifact(report.artifact.path, report.artifact.kind);
    return true;
  }
}

/** Splits a byte stream into lines, keeping a partial last line for the next chunk. */
export class LineSplitter {
  private rest = "";
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    const parts = text.split("\n");
    this.rest = parts.pop() ?? "";
    if (this.rest.length > MAX_LINE) {
      parts.push(this.rest);
      this.rest = "";
    }
    for (const part of parts) this.onLine(part.endsWith("\r") ? part.slice(0, -1) : part);
  }

  end(): void {
    if (this.rest !== "") this.onLine(this.rest);
    this.rest = "";
  }
}
