import { METRICS_BATCH_MAX_POINTS, type MetricPointInput, toWireNumber } from "@labtrack/schemas";
import { shouldRetrySend } from "./send-failure.ts";

export interface MetricBatcherOptions {
  /** Sends one batch; rejects to keep the points for the next try. */
  send: (points: MetricPointInput[]) => Promise<void>;
  /** Flush at the latest this long after the first buffered point. */
  flushIntervalMs?: number;
  /** Flush as soon as this many points wait. */
  maxBatch?: number;
  onError?: (error: unknown) => void;
}

/**
 * Buffers metric points and sends them in batches in the background, in order. A failed batch
 * stays at the head of the buffer and is retried: the server ignores points it already has.
 */
export class MetricBatcher {
  private buffer: MetricPointInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;

  constructor(private readonly opts: MetricBatcherOptions) {
    this.flushIntervalMs = opts.flushIntervalMs ?? 1_000;
    this.maxBatch = Math.min(opts.maxBatch ?? 1_000, METRICS_BATCH_MAX_POINTS);
  }

  add(point: { key: string; step: number; value: number; epoch?: number; time?: number }): void {
    this.buffer.push({ ...point, value: toWireNumber(point.value), time: point.time ?? Date.now() });
    if (this.buffer.length >= this.maxBatch) void this.flushInBackground();
    else this.timer ??= setTimeout(() => void this.flushInBackground(), this.flushIntervalMs);
  }

  get pending(): number {
    return this.buffer.length;
  }

  private async flushInBackground(): Promise<void> {
    try {
      await this.flush();
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      this.opts.onError?.(error);
      if (!shouldRetrySend(error, this.failures)) {
        // Refused (4xx, or a 500 again and again): sending it again would block every later point.
        this.buffer.splice(0, this.maxBatch);
        this.failures = 0;
      }
      // An outage (no answer, 503 while the API's database is down): keep the points, back off.
      const delay = Math.min(this.flushIntervalMs * 2 ** Math.min(this.failures, 4), 10_000);
      this.timer ??= setTimeout(() => void this.flushInBackground(), delay);
    }
  }

  /** Sends everything buffered so far; resolves once the server has it. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.inFlight) await this.inFlight.catch(() => {});
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, this.maxBatch);
      this.inFlight = this.opts.send(batch);
      try {
        await this.inFlight;
      } finally {
        this.inFlight = null;
      }
      this.buffer.splice(0, batch.length);
    }
  }
}
