import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import path from "node:path";

export interface DiskSpoolOptions<T> {
  /** Folder holding `spool.jsonl` (the entries) and `spool.ack` (how far the server has them). */
  dir: string;
  /** Sends a batch of consecutive entries; resolves once the server has them all. */
  send: (entries: T[]) => Promise<void>;
  /**
   * Whether a failed send should be tried again (true) or the batch set aside (false), given how
   * many times in a row this batch has failed (1 on its first failure).
   */
  isRetryable?: (error: unknown, failures: number) => boolean;
  /** Called with a batch that is not retried, before it leaves the spool. */
  onSetAside?: (entries: T[], error: unknown) => void;
  /** How many entries the sender may take at once; entries are batched only when this allows. */
  batchOf?: (head: T, next: T) => boolean;
  maxBatch?: number;
  /** Delay before retrying after a failure, given the number of failures in a row. */
  retryDelayMs?: (failures: number) => number;
  onSent?: (entries: T[]) => void;
  onError?: (error: unknown, willRetry: boolean) => void;
}

interface Pending<T> {
  entry: T;
  /** Byte offset in the file just after this entry. */
  end: number;
}

/**
 * An append-only, on-disk outbox: every entry is written to a file before it is sent, entries are
 * sent strictly in order, and the acknowledged offset is recorded so that after a crash or restart
 * the unsent tail is replayed. Receivers must treat entries idempotently (a crash between send and
 * acknowledgement resends the batch).
 */
export class DiskSpool<T> {
  private readonly file: string;
  private readonly ackFile: string;
  private readonly fd: number;
  private size: number;
  private acked: number;
  private pending: Pending<T>[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private failures = 0;
  private readonly idleWaiters = new Set<() => void>();
  private readonly loop: Promise<void>;

  constructor(private readonly opts: DiskSpoolOptions<T>) {
    mkdirSync(opts.dir, { recursive: true });
    this.file = path.join(opts.dir, "spool.jsonl");
    this.ackFile = path.join(opts.dir, "spool.ack");
    const existing = existsSync(this.file) ? readFileSync(this.file) : Buffer.alloc(0);
    this.acked = existsSync(this.ackFile) ? Number(readFileSync(this.ackFile, "utf8")) || 0 : 0;
    // A torn last line (crash mid-write) is cut off; everything before it is replayed.
    let offset = Math.min(this.acked, existing.length);
    let validEnd = offset;
    while (offset < existing.length) {
      const newline = existing.indexOf(10, offset);
      if (newline < 0) break;
      const text = existing.subarray(offset, newline).toString("utf8");
      offset = newline + 1;
      try {
        this.pending.push({ entry: JSON.parse(text) as T, end: offset });
        validEnd = offset;
      } catch {
        break;
      }
    }
    this.fd = openSync(this.file, existsSync(this.file) ? "r+" : "w+");
    ftruncateSync(this.fd, Math.max(validEnd, Math.min(this.acked, existing.length)));
    this.size = Math.max(validEnd, Math.min(this.acked, existing.length));
    this.loop = this.run();
  }

  /** Entries written but not yet acknowledged by the server. */
  get backlog(): number {
    return this.pending.length;
  }

  /** The entries not yet acknowledged, oldest first. */
  entries(): T[] {
    return this.pending.map((p) => p.entry);
  }

  /** Writes the entry to disk (synchronously, so a crash right after keeps it), then wakes the sender. */
  append(entry: T): void {
    if (this.closed) throw new Error("spool is closed");
    const line = Buffer.from(`${JSON.stringify(entry)}\n`, "utf8");
    writeSync(this.fd, line, 0, line.length, this.size);
    this.size += line.length;
    this.pending.push({ entry, end: this.size });
    this.wake?.();
  }

  /** Resolves when every entry appended so far has been sent (or `timeoutMs` passed; then false). */
  async drained(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    if (this.pending.length === 0) return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => done(false), timeoutMs) : undefined;
      this.idleWaiters.add(onIdle);
    });
  }

  /** Stops sending; what is not sent stays on disk for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.loop;
    closeSync(this.fd);
  }

  private takeBatch(): Pending<T>[] {
    const head = this.pending[0];
    if (!head) return [];
    const batch = [head];
    const max = this.opts.maxBatch ?? 100;
    for (let i = 1; i < this.pending.length && batch.length < max; i++) {
      const next = this.pending[i]!;
      if (!this.opts.batchOf?.(head.entry, next.entry)) break;
      batch.push(next);
    }
    return batch;
  }

  private acknowledge(batch: Pending<T>[]): void {
    this.pending.splice(0, batch.length);
    this.acked = batch[batch.length - 1]!.end;
    if (this.pending.length === 0) {
      // Everything is on the server: start the file over instead of letting it grow.
      ftruncateSync(this.fd, 0);
      this.size = 0;
      this.acked = 0;
    }
    writeFileSync(this.ackFile, String(this.acked));
    if (this.pending.length === 0) for (const idle of [...this.idleWaiters]) idle();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const batch = this.takeBatch();
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
        continue;
      }
      const entries = batch.map((p) => p.entry);
      try {
        await this.opts.send(entries);
        this.failures = 0;
        this.acknowledge(batch);
        this.opts.onSent?.(entries);
      } catch (error) {
        this.failures += 1;
        const retry = this.opts.isRetryable?.(error, this.failures) ?? true;
        this.opts.onError?.(error, retry);
        if (!retry) {
          this.failures = 0;
          this.opts.onSetAside?.(entries, error);
          this.acknowledge(batch);
          continue;
        }
        const delay = this.opts.retryDelayMs?.(this.failures) ?? Math.min(100 * 2 ** this.failures, 2_000);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            if (this.closed) {
              clearTimeout(timer);
              resolve();
            }
          };
        });
        this.wake = null;
      }
    }
  }
}
