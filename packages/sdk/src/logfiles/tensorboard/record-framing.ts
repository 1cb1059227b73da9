import fastCrc32c from "@chainsafe/fast-crc32c";

/**
 * TFRecord framing, as tensorboard/summary/writer/record_writer.py writes it (little-endian):
 *   uint64 length | uint32 masked crc32c(length bytes) | data[length] | uint32 masked crc32c(data)
 */
export const RECORD_HEADER_BYTES = 12;
export const RECORD_FOOTER_BYTES = 4;

const MASK_DELTA = 0xa282ead8;

/** TensorFlow's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8, as uint32. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = fastCrc32c.calculate(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** A record whose checksum does not match: the file is corrupt from `offset` on. */
export class RecordChecksumError extends Error {
  override name = "RecordChecksumError";
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly part: "length" | "data",
  ) {
    super(`${file}: CRC-32C mismatch in the record ${part} at byte offset ${offset}`);
  }
}

export interface RecordScan {
  /** Each complete record's data, in file order (views into the input buffer). */
  records: Uint8Array[];
  /** Offset (relative to the buffer start) just past the last complete record. */
  consumed: number;
  /** The buffer ends inside a record: it is still being written, read it again once it grows. */
  torn: boolean;
  /** A checksum mismatch at `consumed`: nothing from there on is trusted. */
  corrupt: RecordChecksumError | null;
}

/**
 * Splits `buffer` (file bytes from `baseOffset` on) into records. A record cut off by the end of the
 * buffer is left for later (`torn`); a checksum mismatch ends the scan and is returned as `corrupt`,
 * naming the file and the record's absolute offset.
 */
export function scanRecords(buffer: Uint8Array, file: string, baseOffset: number): RecordScan {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const records: Uint8Array[] = [];
  let at = 0;
  while (buffer.byteLength - at >= RECORD_HEADER_BYTES) {
    const lengthBytes = buffer.subarray(at, at + 8);
    if (maskedCrc32c(lengthBytes) !== view.getUint32(at + 8, true)) {
      return {
        records,
        consumed: at,
        torn: false,
        corrupt: new RecordChecksumError(file, baseOffset + at, "length"),
      };
    }
    const length = Number(view.getBigUint64(at, true));
    const end = at + RECORD_HEADER_BYTES + length + RECORD_FOOTER_BYTES;
    if (end > buffer.byteLength) break;
    const data = buffer.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + length);
    if (maskedCrc32c(data) !== view.getUint32(end - RECORD_FOOTER_BYTES, true)) {
      return {
        records,
        consumed: at,
        torn: false,
        corrupt: new RecordChecksumError(file, baseOffset + at, "data"),
      };
    }
    records.push(data);
    at = end;
  }
  return { records, consumed: at, torn: at < buffer.byteLength, corrupt: null };
}

/** Frames one record's data the way TensorFlow's record writer does. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + data.byteLength + RECORD_FOOTER_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.byteLength), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, RECORD_HEADER_BYTES);
  view.setUint32(RECORD_HEADER_BYTES + data.byteLength, maskedCrc32c(data), true);
  return out;
}
