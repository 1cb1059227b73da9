import { METRICS_BATCH_MAX_POINTS, metricsLogInput } from "@labtrack/schemas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMetricsLogInput } from "./metrics-log-input.ts";

type Answer = { ok: true; value: unknown } | { ok: false; issues: unknown };

function answer(parse: (input: unknown) => unknown, input: unknown): Answer {
  try {
    return { ok: true, value: parse(input) };
  } catch (error) {
    return { ok: false, issues: (error as { issues?: unknown }).issues ?? String(error) };
  }
}

/** Mostly valid fields, with the odd value each rule refuses (or zod takes only its own way). */
const key = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("loss", "val/acc", "sys/gpu0/util") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "",
      " lead",
      "tab\there",
      "nul\u0000",
      "lone\uD800",
      "x".repeat(256),
      "x".repeat(257),
      "😀".repeat(200),
      "é",
    ),
  },
  { weight: 1, arbitrary: fc.anything() },
);
const step = fc.oneof(
  { weight: 8, arbitrary: fc.nat(1_000_000) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.MAX_SAFE_INTEGER,
      2 ** 53,
      "3",
      -0,
    ),
  },
);
const value = fc.oneof(
  { weight: 6, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.constantFrom("NaN", "Infinity", "-Infinity", "nan", "inf", "1", null, -0) },
  { weight: 1, arbitrary: fc.anything() },
);
const time = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 0, max: 2 ** 42 }),
  fc.constantFrom(1.25, Number.NaN, "2026-12-01T10:00:00Z", "2026-12-01T10:00:00+02:00", "yesterday", null),
);
const epoch = fc.oneof(
  fc.constant(undefined),
  fc.nat(1000),
  fc.constantFrom(-1, 2.5, 2_147_483_647, 2_147_483_648, "1", null),
);
const point = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({ key, step, value, time, epoch }, { requiredKeys: ["key", "step", "value"] }),
  },
  { weight: 1, arbitrary: fc.record({ key, step, value, extra: fc.anything() }) },
  { weight: 1, arbitrary: fc.anything() },
);
const runId = fc.oneof(
  { weight: 8, arbitrary: fc.uuid() },
  {
    weight: 1,
    arbitrary: fc.constantFrom("not-a-uuid", "", 42, null, "6F9619FF-8B86-D011-B42D-00C04FC964FF"),
  },
);
const attempt = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: -1, max: 102 }),
  fc.constantFrom(1.5, "2"),
);
const input = fc.oneof(
  { weight: 10, arbitrary: fc.record({ runId, points: fc.array(point, { maxLength: 6 }), attempt }) },
  { weight: 1, arbitrary: fc.anything() },
);

describe("metrics.log input parser", () => {
  it("answers what metricsLogInput answers: the same points, or the same issues", () => {
    fc.assert(
      fc.property(input, (raw) => {
        expect(answer(parseMetricsLogInput, raw)).toEqual(answer((x) => metricsLogInput.parse(x), raw));
      }),
      { numRuns: 3_000 },
    );
  });

  it("parses a full batch of plain points the way zod does, and refuses one point too many as zod does", () => {
    const points = Array.from({ length: METRICS_BATCH_MAX_POINTS }, (_, i) => ({
      key: `k${i % 4}`,
      step: i,
      value: i % 7 === 0 ? "NaN" : i / 3,
      time: 1_700_000_000_000 + i,
      ...(i % 2 ? { epoch: i % 50 } : {}),
    }));
    const full = { runId: "6f9619ff-8b86-4011-b42d-00c04fc964ff", points, attempt: 2 };
    expect(parseMetricsLogInput(full)).toEqual(metricsLogInput.parse(full));
    const over = { ...full, points: [...points, points[0]] };
    expect(answer(parseMetricsLogInput, over)).toEqual(answer((x) => metricsLogInput.parse(x), over));
    expect(answer(parseMetricsLogInput, over).ok).toBe(false);
  });
});
