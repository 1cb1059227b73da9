import { describe, expect, it } from "vitest";
import { frameRecord, maskedCrc32c, RecordChecksumError, scanRecords } from "./record-framing.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

describe("TFRecord framing", () => {
  it("masks CRC-32C as TensorFlow does (the well-known header of a 24-byte file_version record)", () => {
    const length = new Uint8Array(8);
    length[0] = 24;
    expect(maskedCrc32c(length).toString(16)).toBe("224b7fa3");
    expect(frameRecord(new Uint8Array(24)).subarray(0, 12)).toEqual(
      bytes(0x18, 0, 0, 0, 0, 0, 0, 0, 0xa3, 0x7f, 0x4b, 0x22),
    );
  });

  it("reads back what it frames, records in order", () => {
    const a = frameRecord(bytes(1, 2, 3));
    const b = frameRecord(bytes());
    const c = frameRecord(new Uint8Array(1000).fill(7));
    const scan = scanRecords(Buffer.concat([a, b, c]), "f", 0);
    expect(scan.records.map((r) => r.byteLength)).toEqual([3, 0, 1000]);
    expect([...(scan.records[0] ?? [])]).toEqual([1, 2, 3]);
    expect(scan).toMatchObject({ consumed: a.length + b.length + c.length, torn: false, corrupt: null });
  });

  it("leaves a record cut anywhere for later (torn), never an error", () => {
    const first = frameRecord(bytes(9, 9));
    const second = frameRecord(bytes(1, 2, 3, 4, 5));
    const whole = Buffer.concat([first, second]);
    for (let cut = first.length + 1; cut < whole.length; cut++) {
      const scan = scanRecords(whole.subarray(0, cut), "f", 0);
      expect(scan).toMatchObject({ consumed: first.length, torn: true, corrupt: null });
      expect(scan.records).toHaveLength(1);
    }
  });

  it("reports a data CRC mismatch with the file and the record's offset, keeping the records before it", () => {
    const first = frameRecord(bytes(1));
    const second = frameRecord(bytes(2, 2, 2));
    const damaged = Buffer.concat([first, second]);
    damaged[first.length + 13] = 0xff;
    const scan = scanRecords(damaged, "/logs/events.out.tfevents.1", 100);
    expect(scan.records.map((r) => [...r])).toEqual([[1]]);
    expect(scan.corrupt).toBeInstanceOf(RecordChecksumError);
    expect(scan.corrupt).toMatchObject({
      file: "/logs/events.out.tfevents.1",
      offset: 100 + first.length,
      part: "data",
    });
    expect(scan.corrupt?.message).toBe(
      `/logs/events.out.tfevents.1: CRC-32C mismatch in the record data at byte offset ${100 + first.length}`,
    );
  });

  it("reports a length CRC mismatch instead of trusting a damaged length", () => {
    const record = frameRecord(bytes(5, 5));
    record[0] = 0x40;
    const scan = scanRecords(record, "f", 0);
    expect(scan.records).toEqual([]);
    expect(scan.corrupt).toMatchObject({ offset: 0, part: "length" });
  });
});
