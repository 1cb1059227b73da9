import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatReportLine,
  parseReportLine,
  REPORT_LINE_PREFIX,
  type ReportLine,
  ReportLineError,
} from "./report-line.ts";

describe("parseReportLine", () => {
  it("ignores lines that are not reports", () => {
    expect(parseReportLine("Epoch 1/10 - loss: 0.3")).toBeNull();
    expect(parseReportLine("@labtrack")).toBeNull();
    expect(parseReportLine(" @labtrack loss=1")).toBeNull();
    expect(parseReportLine("")).toBeNull();
  });

  it("parses the shorthand form", () => {
    expect(parseReportLine("@labtrack step=10 epoch=2 loss=0.25 val/accuracy=9.1e-1\n")).toEqual({
      step: 10,
      epoch: 2,
      metrics: { loss: 0.25, "val/accuracy": 0.91 },
    });
    expect(parseReportLine("@labtrack   lr=-3  ")).toEqual({ metrics: { lr: -3 } });
    expect(parseReportLine("@labtrack step=3")).toEqual({ step: 3, metrics: {} });
  });

  it("reads NaN and infinity spellings in the shorthand form", () => {
    const report = parseReportLine("@labtrack a=nan b=NaN c=inf d=-inf e=Infinity f=-Infinity g=+inf");
    expect(report?.metrics.a).toBeNaN();
    expect(report?.metrics.b).toBeNaN();
    expect(report?.metrics).toMatchObject({
      c: Number.POSITIVE_INFINITY,
      d: Number.NEGATIVE_INFINITY,
      e: Number.POSITIVE_INFINITY,
      f: Number.NEGATIVE_INFINITY,
      g: Number.POSITIVE_INFINITY,
    });
  });

  it("parses the JSON form", () => {
    const line =
      '@labtrack {"step": 5, "epoch": 1, "metrics": {"loss": 0.5, "grad": "NaN", "x": "-Infinity"}, ' +
      '"results": {"test/accuracy": 0.93, "confusion": [[5, 1], [0, 4]]}, ' +
      '"artifact": {"path": "ckpt/epoch-1.json", "kind": "checkpoint"}}';
    const report = parseReportLine(line);
    expect(report).toMatchObject({
      step: 5,
      epoch: 1,
      results: {
        "test/accuracy": 0.93,
        confusion: [
          [5, 1],
          [0, 4],
        ],
      },
      artifact: { path: "ckpt/epoch-1.json", kind: "checkpoint" },
    });
    expect(report?.metrics.loss).toBe(0.5);
    expect(report?.metrics.grad).toBeNaN();
    expect(report?.metrics.x).toBe(Number.NEGATIVE_INFINITY);
    expect(parseReportLine('@labtrack {"artifact": {"path": "plot.png"}}')).toEqual({
      metrics: {},
      artifact: { path: "plot.png", kind: "file" },
    });
  });

  it("counts a metric key's length in characters (code points), as the server does", () => {
    // 129 emoji are 258 UTF-16 units but 129 characters: within the 256-character limit.
    const key = "\u{1F600}".repeat(129);
    expect(parseReportLine(`@labtrack ${key}=1`)?.metrics[key]).toBe(1);
  });

  it("names the bad part of a malformed report", () => {
    const cases: [string, string | RegExp][] = [
      ["@labtrack ", "empty report after '@labtrack'"],
      ["@labtrack loss", "expected key=value, got 'loss'"],
      ["@labtrack =1", "expected key=value, got '=1'"],
      ["@labtrack loss=abc", "metric 'loss' has value 'abc', which is not a number"],
      ["@labtrack loss=", "metric 'loss' has value '', which is not a number"],
      ["@labtrack step=1.5 loss=1", "step must be an integer from 0 to 9007199254740991, got 1.5"],
      ["@labtrack epoch=x", 'epoch must be an integer from 0 to 2147483647, got "x"'],
      ["@labtrack {bad json}", /^invalid JSON: /],
      ["@labtrack [1, 2]", "expected key=value, got '[1,'"],
      ['@labtrack {"loss": 1}', "unknown field 'loss' (expected step, epoch, metrics, results or artifact)"],
      ['@labtrack {"step": -1}', "step must be an integer from 0 to 9007199254740991, got -1"],
      ['@labtrack {"metrics": [1]}', "metrics must be an object of key: number"],
      ['@labtrack {"metrics": {"loss": "high"}}', /^metric 'loss' must be a number or "NaN"/],
      ['@labtrack {"metrics": {"my loss": 1}}', /^metric key "my loss" must be/],
      // Postgres stores epochs as integers: 2^31 would fail on the server, so it fails here.
      ["@labtrack loss=1 epoch=3000000000 step=0", "epoch must be an integer from 0 to 2147483647"],
      [`@labtrack {"metrics": {"a\\u0000b": 1}}`, /^metric key "a\\u0000b" must be/],
      [`@labtrack ${"k".repeat(257)}=1`, /must be 1-256 characters/],
      ['@labtrack {"results": 3}', "results must be an object"],
      ['@labtrack {"artifact": {"kind": "model"}}', "artifact.path must be a non-empty string"],
      [
        '@labtrack {"artifact": {"path": "m", "kind": "weights"}}',
        /^artifact.kind must be one of checkpoint, model/,
      ],
      ['@labtrack {"artifact": {"path": "m", "size": 3}}', "unknown artifact field 'size'"],
    ];
    for (const [line, message] of cases) {
      expect(() => parseReportLine(line), line).toThrow(ReportLineError);
      expect(() => parseReportLine(line), line).toThrow(message);
    }
  });
});

describe("formatReportLine", () => {
  it("writes the JSON form with non-finite numbers as names", () => {
    const line = formatReportLine({
      step: 1,
      metrics: { loss: Number.NaN, big: Number.POSITIVE_INFINITY, a: 2 },
    });
    expect(line).toBe('@labtrack {"step":1,"metrics":{"loss":"NaN","big":"Infinity","a":2}}');
    expect(line.startsWith(REPORT_LINE_PREFIX)).toBe(true);
    expect(formatReportLine({ metrics: {} })).toBe("@labtrack {}");
  });

  it("round trips through parseReportLine", () => {
    const metricKey = fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((k) => !/\s/.test(k) && k !== "__proto__");
    const report: fc.Arbitrary<ReportLine> = fc.record(
      {
        step: fc.nat(),
        epoch: fc.nat(),
        metrics: fc.dictionary(
          metricKey,
          fc.double().map((v) => (Object.is(v, -0) ? 0 : v)),
        ),
        results: fc.dictionary(
          fc.string().filter((k) => k !== "__proto__"),
          fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v))),
        ),
        artifact: fc.record({
          path: fc.string({ minLength: 1 }),
          kind: fc.constantFrom("checkpoint", "model", "dataset", "plot", "file") as fc.Arbitrary<
            "checkpoint" | "model" | "dataset" | "plot" | "file"
          >,
        }),
      },
      { requiredKeys: ["metrics"] },
    );
    fc.assert(
      fc.property(report, (r) => {
        expect(parseReportLine(formatReportLine(r))).toEqual(r);
      }),
      { numRuns: 300 },
    );
  });
});
