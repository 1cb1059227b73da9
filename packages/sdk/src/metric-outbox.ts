import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { METRICS_BATCH_MAX_POINTS, type MetricPointInput, toWireNumber } from "@labtrack/schemas";
import { shouldRetrySend } from "./send-failure.ts";
import { DiskSpool } from "./spool/disk-spool.ts";

export interface MetricOutboxOptions {
  /**
   * Sends one batch with the attempt of the run that produced it (undefined: the server takes the
   * run's attempt now); rejects to keep the points for the next try.
   */
  send: (points: MetricPointInput[], attempt: number | undefined) => Promise<void>;
  /** The run's attempt this process logs for, kept with spooled points so a replay says it too. */
  attempt?: number;
  /** This run's spool folder (`spool.jsonl`, `spool.ack`); created when an outage first needs it. */
  spoolDir: string;
  /** Flush at the latest this long after the first buffered point. */
  flushIntervalMs?: number;
  /** Flush as soon as this many points wait. */
  maxBatch?: number;
  /** Points held in memory while the server does not answer; past this they go to the spool file. */
  memoryPoints?: number;
  /** How long an outage may last before the points held in memory go to the spool file anyway. */
  spoolAfterMs?: number;
  /** A batch the server refused (a 4xx, or a 500 five times in a row): dropped, not retried. */
  onDropped?: (points: MetricPointInput[], error: unknown) => void;
  /** Every failed send, transient or not (the points are kept when it is transient). */
  onError?: (error: unknown) => void;
}

export interface MetricOutboxStats {
  /** Points held in memory, not yet acknowledged. */
  inMemory: number;
  /** Points in the spool file, not yet acknowledged. */
  onDisk: number;
  /** Points the server refused, dropped. */
  dropped: number;
  /** Points that ever went to the spool file (this process). */
  spooled: number;
}

/** One line of the spool file: a batch and the attempt that produced it. */
interface SpooledBatch {
  attempt?: number;
  points: MetricPointInput[];
}

const backoffMs = (base: number, failures: number) => Math.min(base * 2 ** Math.min(failures, 5), 10_000);

/**
 * A run's metric points on their way to the server, never lost to an outage and never thrown into
 * the caller. Points are batched in memory and sent in order in the background; a batch leaves
 * memory only once the server acknowledged it. While the server does not answer (or answers 503
 * and the like) the batch is retried with backoff; once the outage outlasts `spoolAfterMs` or more
 * than `memoryPoints` wait, everything held goes to an append-only spool file, and later points
 * follow it there until the spool is sent, in order. A new outbox on the same folder (a restarted
 * process attaching to the same run) replays what the spool still holds. The server drops points
 * it already has (same run, key, step), so a batch re-sent after a crash stores nothing twice.
 */
export class MetricOutbox {
  private buffer: MetricPointInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private spool: DiskSpool<SpooledBatch> | null = null;
  private failures = 0;
  private failingSince: number | null = null;
  private wakeBackoff: (() => void) | null = null;
  /** A batch from the front of the buffer is on its way: the buffer must not move meanwhile. */
  private sending = false;
  private closed = false;
  private readonly counts = { onDisk: 0, dropped: 0, spooled: 0 };
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly memoryPoints: number;
  private readonly spoolAfterMs: number;

  constructor(private readonly opts: MetricOutboxOptions) {
    this.flushIntervalMs = opts.flushIntervalMs ?? 1_000;
    this.maxBatch = Math.min(opts.maxBatch ?? 1_000, METRICS_BATCH_MAX_POINTS);
    this.memoryPoints = Math.max(opts.memoryPoints ?? 20_000, this.maxBatch);
    this.spoolAfterMs = opts.spoolAfterMs ?? 5_000;
    // What an earlier process left (it crashed, or exited during an outage) is sent first.
    const file = path.join(opts.spoolDir, "spool.jsonl");
    if (existsSync(file) && statSync(file).size > 0) {
      this.openSpool();
      for (const batch of this.spool?.entries() ?? []) this.counts.onDisk += batch.points.length;
    }
  }

  /** Buffers a point for the background flush. Never throws for a server or disk problem. */
  add(point: { key: string; step: number; value: number; epoch?: number; time?: number }): void {
    if (this.closed) return;
    this.buffer.push({ ...point, value: toWireNumber(point.value), time: point.time ?? Date.now() });
    const outage = this.failingSince !== null;
    if (this.spoolBusy() || (outage && this.buffer.length > this.memoryPoints)) {
      if (this.buffer.length >= this.maxBatch && !this.sending) this.moveToSpool();
      else this.timer ??= setTimeout(() => this.tick(), this.flushIntervalMs);
    } else if (this.buffer.length >= this.maxBatch) this.tick();
    else this.timer ??= setTimeout(() => this.tick(), this.flushIntervalMs);
  }

  get stats(): MetricOutboxStats {
    return { inMemory: this.buffer.length, ...this.counts };
  }

  /** Resolves once the server has every point added so far (waiting through an outage). */
  async flush(): Promise<void> {
    this.clearTimer();
    for (;;) {
      if (this.closed) return;
      if (this.pumping) await this.pumping;
      else if (this.buffer.length > 0) await this.startPump();
      else if (this.spool && this.spool.backlog > 0) await this.spool.drained();
      else return;
    }
  }

  /**
   * Stops sending. Points not yet acknowledged are written to the spool file, so a later outbox on
   * the same folder sends them.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimer();
    this.wakeBackoff?.();
    await this.pumping;
    this.moveToSpool();
    await this.spool?.close();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private tick(): void {
    this.clearTimer();
    if (this.closed) return;
    if (this.spoolBusy() && !this.sending) this.moveToSpool();
    else if (!this.pumping) void this.startPump();
  }

  /** The spool has entries not yet sent: new points go after them, to keep the order. */
  private spoolBusy(): boolean {
    return this.spool !== null && this.spool.backlog > 0;
  }

  private startPump(): Promise<void> {
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
    });
    return this.pumping;
  }

  /** Sends the memory buffer batch by batch until it is empty, sent to the spool, or closed. */
  private async pump(): Promise<void> {
    while (this.buffer.length > 0 && !this.closed) {
      if (this.spoolBusy()) {
        this.moveToSpool();
        return;
      }
      const batch = this.buffer.slice(0, this.maxBatch);
      let failed: { error: unknown } | null = null;
      // An outage starts when the first failed batch was sent, not when its answer came back: a
      // request that hangs for seconds before it fails is part of the outage.
      const sentAt = Date.now();
      this.sending = true;
      try {
        await this.opts.send(batch, this.opts.attempt);
      } catch (error) {
        failed = { error };
      } finally {
        this.sending = false;
      }
      if (!failed) {
        this.buffer.splice(0, batch.length);
        this.failures = 0;
        this.failingSince = null;
        continue;
      }
      this.failures += 1;
      this.opts.onError?.(failed.error);
      if (!shouldRetrySend(failed.error, this.failures)) {
        // Refused: sending it again would block every later point.
        this.buffer.splice(0, batch.length);
        this.failures = 0;
        this.counts.dropped += batch.length;
        this.opts.onDropped?.(batch, failed.error);
        continue;
      }
      this.failingSince ??= sentAt;
      if (Date.now() - this.failingSince >= this.spoolAfterMs || this.buffer.length > this.memoryPoints) {
        // The outage lasts: keep the points on disk (they survive this process) and let the spool retry.
        if (this.moveToSpool()) return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffMs(this.flushIntervalMs / 4, this.failures));
        this.wakeBackoff = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeBackoff = null;
    }
  }

  private openSpool(): DiskSpool<SpooledBatch> {
    this.spool ??= new DiskSpool<SpooledBatch>({
      dir: this.opts.spoolDir,
      // One batch per call (maxBatch 1), with the attempt it was logged under.
      send: async (entries) => {
        for (const entry of entries) await this.opts.send(entry.points, entry.attempt);
      },
      maxBatch: 1,
      isRetryable: shouldRetrySend,
      retryDelayMs: (failures) => backoffMs(this.flushIntervalMs / 4, failures),
      onSent: (entries) => {
        this.counts.onDisk -= entries.reduce((n, e) => n + e.points.length, 0);
        this.failingSince = null;
      },
      onSetAside: (entries, error) => {
        const points = entries.flatMap((e) => e.points);
        this.counts.onDisk -= points.length;
        this.counts.dropped += points.length;
        this.opts.onDropped?.(points, error);
      },
      onError: (error) => this.opts.onError?.(error),
    });
    return this.spool;
  }

  /** Appends the memory buffer to the spool file; false (points kept in memory) if the disk fails. */
  private moveToSpool(): boolean {
    if (this.buffer.length === 0) return true;
    try {
      const spool = this.openSpool();
      while (this.buffer.length > 0) {
        const batch = this.buffer.slice(0, this.maxBatch);
        spool.append({ attempt: this.opts.attempt, points: batch });
        this.buffer.splice(0, batch.length);
        this.counts.onDisk += batch.length;
        this.counts.spooled += batch.length;
      }
      return true;
    } catch (error) {
      this.opts.onError?.(error);
      return false;
    }
  }
}
