import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchToColumnar, toColumnar } from "./metrics.ts";

describe("live event series of a batch stored whole", () => {
  it("groups the batch's columns as toColumnar groups its rows: by key, in step order", () => {
    const point = fc.record({
      key: fc.constantFrom("loss", "acc", "lr"),
      step: fc.nat(500),
      value: fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY)),
      time: fc.nat(),
      epoch: fc.option(fc.nat(10), { nil: undefined }),
    });
    const batch = fc.uniqueArray(point, {
      minLength: 1,
      maxLength: 60,
      selector: (p) => `${p.key} ${p.step}`,
    });
    fc.assert(
      fc.property(batch, fc.integer({ min: 1, max: 4 }), (points, attempt) => {
        const columns = {
          keys: points.map((p) => p.key),
          steps: points.map((p) => p.step),
          values: points.map((p) => p.value),
          times: points.map((p) => p.time),
          epochs: points.map((p) => p.epoch),
        };
        const rows = points.map((p) => ({
          key: p.key,
          step: p.step,
          value: p.value,
          time_ms: p.time,
          epoch: p.epoch ?? null,
          attempt,
        }));
        expect(batchToColumnar(columns, attempt)).toEqual(toColumnar(rows));
      }),
      { numRuns: 500 },
    );
  });
});
