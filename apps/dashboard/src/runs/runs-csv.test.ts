import type { Run } from "@labtrack/schemas";
import { describe, expect, it } from "vitest";
import { parseColumnId } from "./run-columns.ts";
import { csvValue, runsCsvFileName, runsCsvHeader, runsCsvRows } from "./runs-csv.ts";

/** A reader as strict as RFC 4180, to check that what is written reads back field for field. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i += 1;
    } else field += char;
  }
  return records;
}

const base = {
  project: "demo",
  keyValueTags: {},
  deletedAt: null,
  notes: null,
  results: {},
  spec: null,
  queue: null,
  priority: 0,
  attempt: 1,
  error: null,
  parentRunId: null,
  sweep: null,
  updatedAt: "2026-01-01T00:00:00.000Z",
} as const;

const runs: Run[] = [
  {
    ...base,
    id: "11111111-1111-4111-8111-111111111111",
    name: 'lr sweep, "wide"',
    group: "arm\n1",
    tags: ["baseline", "v2"],
    status: "succeeded",
    runner: "gpu-1",
    config: { lr: 0.000123456789, opt: { name: "adam" }, phases: [{ lr: 0.1 }] },
    summary: {
      "val/loss": { last: "NaN", lastStep: 9, min: 0.2, minStep: 3, max: 1.5, maxStep: 0, count: 10 },
    },
    createdAt: "2026-01-01T00:00:00.000Z",
    startedAt: "2026-01-01T00:00:01.000Z",
    finishedAt: "2026-01-01T00:01:31.500Z",
  },
  {
    ...base,
    id: "22222222-2222-4222-8222-222222222222",
    name: "  padded",
    group: null,
    tags: [],
    status: "queued",
    runner: null,
    config: { lr: 1e-7 },
    summary: {
      "val/loss": {
        last: "-Infinity",
        lastStep: 1,
        min: null,
        minStep: null,
        max: null,
        maxStep: null,
        count: 2,
      },
    },
    createdAt: "2026-01-02T00:00:00.000Z",
    startedAt: null,
    finishedAt: null,
  },
];

describe("runs table as CSV", () => {
  it("writes numbers in full, NaN and infinities by name, arrays and objects as JSON", () => {
    expect(csvValue(0.1 + 0.2)).toBe("0.30000000000000004");
    expect(csvValue(1e-7)).toBe("1e-7");
    expect(Number(csvValue(1e-7))).toBe(1e-7);
    expect(csvValue("NaN")).toBe("NaN");
    expect(csvValue(true)).toBe("true");
    expect(csvValue([{ lr: 0.1 }])).toBe('[{"lr":0.1}]');
    expect(csvValue(null)).toBe("");
    expect(csvValue(undefined)).toBe("");
  });

  it("writes the fixed columns and the chosen ones, reading back to the same values", () => {
    const columns = [
      "config.lr",
      "config.opt.name",
      "config.phases",
      "summary.val/loss.last",
      "summary.val/loss.min",
    ]
      .map(parseColumnId)
      .filter((c) => c !== null);
    const text = runsCsvHeader(columns) + runsCsvRows(runs, columns, Date.parse("2026-01-03T00:00:00Z"));
    expect(text.endsWith("\r\n")).toBe(true);
    expect(readCsv(text)).toEqual([
      [
        "id",
        "status",
        "name",
        "group",
        "tags",
        "runner",
        "duration_s",
        "created_at",
        "config.lr",
        "config.opt.name",
        "config.phases",
        "summary.val/loss.last",
        "summary.val/loss.min",
      ],
      [
        runs[0]?.id,
        "succeeded",
        'lr sweep, "wide"',
        "arm\n1",
        "baseline|v2",
        "gpu-1",
        "90.5",
        "2026-01-01T00:00:00.000Z",
        "0.000123456789",
        "adam",
        '[{"lr":0.1}]',
        "NaN",
        "0.2",
      ],
      [
        runs[1]?.id,
        "queued",
        "  padded",
        "",
        "",
        "",
        "",
        "2026-01-02T00:00:00.000Z",
        "1e-7",
        "",
        "",
        "-Infinity",
        "",
      ],
    ]);
  });

  it("names the file after the project and the day", () => {
    const day = new Date("2026-12-01T10:00:00Z");
    expect(runsCsvFileName("flowers", day)).toBe("flowers-runs-2026-12-01.csv");
    expect(runsCsvFileName("../a b", day)).toBe("__a_b-runs-2026-12-01.csv");
  });
});
