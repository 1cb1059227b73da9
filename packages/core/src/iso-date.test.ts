import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoDateToEpochSeconds } from "./iso-date.ts";

describe("isoDateToEpochSeconds", () => {
  it("reads dates, times, fractions and offsets; no offset means UTC", () => {
    expect(isoDateToEpochSeconds("1970-01-01")).toBe(0);
    expect(isoDateToEpochSeconds("2026-03-07")).toBe(Date.UTC(2026, 2, 7) / 1000);
    expect(isoDateToEpochSeconds("2026-03-07T12:30")).toBe(Date.UTC(2026, 2, 7, 12, 30) / 1000);
    expect(isoDateToEpochSeconds("2026-03-07 12:30:15.25Z")).toBe(
      Date.UTC(2026, 2, 7, 12, 30, 15) / 1000 + 0.25,
    );
    expect(isoDateToEpochSeconds("2026-03-07T12:30:00+02:00")).toBe(Date.UTC(2026, 2, 7, 10, 30) / 1000);
    expect(isoDateToEpochSeconds("2026-03-07T12:30:00-0230")).toBe(Date.UTC(2026, 2, 7, 15, 0) / 1000);
    expect(isoDateToEpochSeconds("0050-02-28")).toBe(new Date("0050-02-28T00:00:00Z").getTime() / 1000);
    expect(isoDateToEpochSeconds("2024-02-29")).not.toBeNull();
  });

  it("refuses what Date.parse takes but is not ISO-8601, and days that do not exist", () => {
    for (const text of [
      "1",
      "March 7",
      "7 March 2026",
      "2026/03/07",
      "2026-3-7",
      "2023-02-29",
      "2026-04-31",
    ]) {
      expect(isoDateToEpochSeconds(text), text).toBeNull();
    }
    for (const text of [
      "2026-03-07T24:00",
      "2026-03-07T12:60",
      "2026-03-07T12:00:60",
      "2026-03-07T12:00+16:00",
    ]) {
      expect(isoDateToEpochSeconds(text), text).toBeNull();
    }
    expect(isoDateToEpochSeconds("0000-01-01")).toBeNull();
  });

  it("agrees with Date for every instant written by toISOString", () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (date) => {
          expect(isoDateToEpochSeconds(date.toISOString())).toBeCloseTo(date.getTime() / 1000, 6);
        },
      ),
    );
  });
});
