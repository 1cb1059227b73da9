import { formatReportLine } from "@labtrack/core";
import type { ArtifactKind, JsonValue } from "@labtrack/schemas";

/** What a recipe tells the runner: per-epoch metrics, results, artifacts to upload, and log text. */
export interface RunReporter {
  metrics(step: number, epoch: number, metrics: Record<string, number>): void;
  results(results: Record<string, JsonValue>): void;
  /** `path` is relative to the artifacts folder. */
  artifact(path: string, kind: ArtifactKind): void;
  log(text: string): void;
}

/** Reports as Labtrack report lines (`@labtrack {...}`) and plain log lines, one per write. */
export function createLineReporter(write: (line: string) => void): RunReporter {
  return {
    metrics: (step, epoch, metrics) => write(formatReportLine({ step, epoch, metrics })),
    results: (results) => write(formatReportLine({ metrics: {}, results })),
    artifact: (path, kind) => write(formatReportLine({ metrics: {}, artifact: { path, kind } })),
    log: (text) => write(text),
  };
}

/** Keeps everything in memory: for tests and the benchmark. */
export function createMemoryReporter() {
  const epochs: { step: number; epoch: number; metrics: Record<string, number> }[] = [];
  const results: Record<string, JsonValue>[] = [];
  const artifacts: { path: string; kind: ArtifactKind }[] = [];
  const logs: string[] = [];
  const reporter: RunReporter = {
    metrics: (step, epoch, metrics) => epochs.push({ step, epoch, metrics }),
    results: (r) => results.push(r),
    artifact: (path, kind) => artifacts.push({ path, kind }),
    log: (text) => logs.push(text),
  };
  return { reporter, epochs, results, artifacts, logs };
}
