import type { MetricPointInput } from "@labtrack/schemas";
import { LogFilesTail, type WatchRoot, watchRootOf } from "@labtrack/sdk";
import type { Logger } from "pino";

/** Points per outbox entry: one spool line stays small however much a poll finds. */
const POINTS_PER_ENTRY = 5_000;
export const LOG_CAPTURE_INTERVAL_MS = 1_000;

export interface LogCaptureOptions {
  /** The command's working folder: its TensorBoard event files always count. */
  cwd: string;
  /** `spec.watch`: more folders and globs, relative to `cwd` or absolute. */
  watch: string[];
  /** Where the points go (the run's outbox). */
  send: (points: MetricPointInput[]) => void;
  /** A line for the run's log (a corrupt file, a tag that cannot be a key). */
  note: (text: string) => void;
  log: Logger;
  intervalMs?: number;
}

/** The roots of a command run: `spec.watch` entries first, so a full scan never starves them. */
export function captureRoots(cwd: string, watch: string[]): WatchRoot[] {
  return [...watch.map((entry) => watchRootOf(entry, cwd)), watchRootOf(cwd, cwd)];
}

/**
 * Streams the scalars of the TensorBoard event files and CSV logs a command run writes as the
 * run's metrics, polling about once a second (fs.watch misses events on many file systems).
 */
export class LogCapture {
  private readonly tail: LogFilesTail;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: LogCaptureOptions) {
    // Asked at every poll: a watched file named before it exists is a file once it does.
    this.tail = new LogFilesTail(
      () => captureRoots(opts.cwd, opts.watch),
      (text) => opts.note(text),
    );
  }

  start(): void {
    this.schedule();
  }

  /** Stops polling after one last read, so what the process wrote before it ended is sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.polling;
    await this.pollOnce();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.pollOnce().finally(() => {
        this.polling = null;
        this.schedule();
      });
    }, this.opts.intervalMs ?? LOG_CAPTURE_INTERVAL_MS);
  }

  private async pollOnce(): Promise<void> {
    try {
      await this.tail.poll((points) => {
        for (let i = 0; i < points.length; i += POINTS_PER_ENTRY) {
          this.opts.send(points.slice(i, i + POINTS_PER_ENTRY));
        }
      });
    } catch (error) {
      this.opts.log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "log capture failed",
      );
    }
  }
}
