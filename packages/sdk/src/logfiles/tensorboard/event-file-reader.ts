import { open } from "node:fs/promises";
import { decodeEvent, int64ToNumber } from "./event-proto.ts";
import { type RecordChecksumError, scanRecords } from "./record-framing.ts";
import { ScalarTagTracker } from "./scalar-values.ts";

/** One scalar as an event file holds it. */
export interface ScalarEvent {
  tag: string;
  step: number;
  /** Seconds since the epoch (Event.wall_time). */
  wallTime: number;
  value: number;
}

/** Where a reader stands in a file, enough to resume it later without re-reading. */
export interface EventFileReaderState {
  offset: number;
  scalarTags: Record<string, boolean>;
}

const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Reads one `*tfevents*` file incrementally: each `read()` returns the scalars of the records
 * completed since the last one. A record still being written (torn at the end of the file) is left
 * for the next call; a checksum mismatch stops the reader at that record for good (`corrupt`).
 */
export class EventFileReader {
  private offsetValue: number;
  private readonly tags: ScalarTagTracker;
  private corruptValue: RecordChecksumError | null = null;
  private tornValue = false;

  constructor(
    readonly path: string,
    state?: EventFileReaderState,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.offsetValue = state?.offset ?? 0;
    this.tags = new ScalarTagTracker(state?.scalarTags);
  }

  /** Byte offset just past the last complete record read. */
  get offset(): number {
    return this.offsetValue;
  }

  /** The checksum mismatch that stopped this reader, if any. */
  get corrupt(): RecordChecksumError | null {
    return this.corruptValue;
  }

  /** The file ended inside a record at the last read (still being written, or cut short). */
  get torn(): boolean {
    return this.tornValue;
  }

  state(): EventFileReaderState {
    return { offset: this.offsetValue, scalarTags: this.tags.snapshot() };
  }

  /** Every scalar of the records completed since the last call, in file order. */
  async read(): Promise<ScalarEvent[]> {
    const all: ScalarEvent[] = [];
    for await (const batch of this.batches()) for (const scalar of batch) all.push(scalar);
    return all;
  }

  /** The same as `read`, a chunk of the file at a time, so a large file is never held whole. */
  async *batches(): AsyncGenerator<ScalarEvent[]> {
    if (this.corruptValue) return;
    const handle = await open(this.path, "r");
    try {
      const size = (await handle.stat()).size;
      let carry: Uint8Array = new Uint8Array(0);
      while (this.offsetValue + carry.byteLength < size) {
        const start = this.offsetValue + carry.byteLength;
        const fresh = Buffer.allocUnsafe(Math.min(this.chunkBytes, size - start));
        const { bytesRead } = await handle.read(fresh, 0, fresh.byteLength, start);
        if (bytesRead === 0) break;
        const buffer = carry.byteLength > 0 ? Buffer.concat([carry, fresh.subarray(0, bytesRead)]) : fresh;
        const scan = scanRecords(
          buffer.subarray(0, carry.byteLength + bytesRead),
          this.path,
          this.offsetValue,
        );
        const scalars = this.scalarsOf(scan.records);
        this.offsetValue += scan.consumed;
        carry = buffer.subarray(scan.consumed, carry.byteLength + bytesRead);
        if (scan.corrupt) this.corruptValue = scan.corrupt;
        if (scalars.length > 0) yield scalars;
        if (scan.corrupt) return;
      }
      this.tornValue = carry.byteLength > 0;
    } finally {
      await handle.close();
    }
  }

  private scalarsOf(records: Uint8Array[]): ScalarEvent[] {
    const out: ScalarEvent[] = [];
    for (const record of records) {
      const event = decodeEvent(record);
      const values = event.summary?.value;
      if (!values) continue;
      const step = int64ToNumber(event.step);
      for (const value of values) {
        const number = this.tags.valueOf(value);
        if (number !== null) out.push({ tag: value.tag, step, wallTime: event.wallTime, value: number });
      }
    }
    return out;
  }
}
