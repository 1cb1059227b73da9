import { type MetricPointInput, metricKey, toWireNumber } from "@labtrack/schemas";
import { CsvLogReader } from "./csv/csv-log-reader.ts";
import { EventFileReader } from "./tensorboard/event-file-reader.ts";
import { findLogFiles, type LogFileFound, type LogFileKind, type WatchRoot } from "./watch-roots.ts";

/** Something a user should hear about once: a corrupt file, a key Labtrack cannot store. */
export type LogFilesProblem = (message: string) => void;

/** Receives points in file order, a chunk at a time; awaited, so a slow sink slows the reading. */
export type PointSink = (points: MetricPointInput[]) => Promise<void> | void;

interface TrackedFile {
  found: LogFileFound;
  reader: EventFileReader | CsvLogReader;
}

/** Whitespace is not allowed in metric keys; TensorBoard tags may have it. */
export const metricKeyFor = (prefix: string, name: string) => `${prefix}${name}`.replace(/\s/g, "_");

/**
 * Tails the TensorBoard event files and CSV logs under some roots: each `poll()` finds new files,
 * reads what was appended since the last poll and hands it on as metric points. Keys are
 * `<folder relative to the root>/<tag or column>`. Nothing is read twice within one tail; reading
 * again after a restart re-sends the same (key, step) points, which the server's upsert absorbs.
 */
export class LogFilesTail {
  private readonly files = new Map<string, TrackedFile>();
  private readonly told = new Set<string>();
  private readonly validKeys = new Set<string>();
  private truncatedTold = false;

  /** `roots` may be a function, asked again at every poll (a watched path may appear later). */
  constructor(
    private readonly roots: WatchRoot[] | (() => WatchRoot[]),
    private readonly onProblem: LogFilesProblem,
  ) {}

  /** The files being read, with their kind. */
  get tracked(): { file: string; kind: LogFileKind }[] {
    return [...this.files.values()].map((t) => ({ file: t.found.file, kind: t.found.kind }));
  }

  /** Files whose end is inside a record or a line (still being written, or cut short). */
  get incomplete(): string[] {
    return [...this.files.values()]
      .filter((t) => t.reader instanceof EventFileReader && t.reader.torn)
      .map((t) => t.found.file);
  }

  /** Reads everything new; returns how many points went to the sink. */
  async poll(sink: PointSink): Promise<number> {
    const roots = typeof this.roots === "function" ? this.roots() : this.roots;
    const { files, truncated } = await findLogFiles(roots);
    if (truncated && !this.truncatedTold) {
      this.truncatedTold = true;
      this.onProblem("log capture: too many files under the watched folders; some were not searched");
    }
    for (const found of files) {
      if (!this.files.has(found.file)) {
        const reader =
          found.kind === "tensorboard" ? new EventFileReader(found.file) : new CsvLogReader(found.file);
        this.files.set(found.file, { found, reader });
      }
    }
    let sent = 0;
    for (const tracked of this.files.values()) sent += await this.readFile(tracked, sink);
    return sent;
  }

  private tellOnce(key: string, message: string): void {
    if (this.told.has(key)) return;
    this.told.add(key);
    this.onProblem(message);
  }

  private async readFile(tracked: TrackedFile, sink: PointSink): Promise<number> {
    const { reader, found } = tracked;
    try {
      if (reader instanceof EventFileReader) {
        let sent = 0;
        for await (const batch of reader.batches()) {
          const points: MetricPointInput[] = [];
          for (const s of batch) {
            const point = this.point(
              found,
              s.tag,
              s.step,
              s.value,
              s.wallTime > 0 ? s.wallTime * 1000 : undefined,
            );
            if (point) points.push(point);
          }
          if (points.length > 0) await sink(points);
          sent += points.length;
        }
        if (reader.corrupt) this.tellOnce(`corrupt:${found.file}`, `log capture: ${reader.corrupt.message}`);
        return sent;
      }
      const points: MetricPointInput[] = [];
      const now = Date.now();
      for (const row of await reader.read()) {
        for (const [column, value] of Object.entries(row.values)) {
          const point = this.point(found, column, row.step, value, now, row.epoch);
          if (point) points.push(point);
        }
      }
      if (points.length > 0) await sink(points);
      return points.length;
    } catch (error) {
      // Gone (a run cleaning up) or unreadable: say so once, keep tailing the others.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") {
        this.files.delete(found.file);
        return 0;
      }
      if (code === undefined) throw error;
      this.tellOnce(
        `io:${found.file}`,
        `log capture: cannot read ${found.file}: ${(error as Error).message}`,
      );
      return 0;
    }
  }

  private point(
    found: LogFileFound,
    name: string,
    step: number,
    value: number,
    time: number | undefined,
    epoch?: number,
  ): MetricPointInput | null {
    const key = metricKeyFor(found.keyPrefix, name);
    if (!this.validKeys.has(key)) {
      if (!metricKey.safeParse(key).success) {
        this.tellOnce(
          `key:${key}`,
          `log capture: '${key}' from ${found.file} is not a valid metric key; skipped`,
        );
        return null;
      }
      this.validKeys.add(key);
    }
    if (!Number.isSafeInteger(step) || step < 0) {
      this.tellOnce(
        `step:${found.file}:${name}`,
        `log capture: ${key} has steps Labtrack cannot store (negative or past 2^53) in ${found.file}; those are skipped`,
      );
      return null;
    }
    return {
      key,
      step,
      value: toWireNumber(value),
      ...(time !== undefined && { time }),
      ...(epoch !== undefined && { epoch }),
    };
  }
}
