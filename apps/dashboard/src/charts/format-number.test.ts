import { describe, expect, it } from "vitest";
import { formatConfigValue, formatMetric } from "./format-number.ts";

describe("number formats", () => {
  it("shows config values as they were set: no separators in a seed, small rates in full", () => {
    expect(formatConfigValue(1005)).toBe("1005");
    expect(formatConfigValue(0.00075)).toBe("0.00075");
    expect(formatConfigValue(0.00022500000000000002)).toBe("0.000225");
    expect(formatConfigValue("adam")).toBe("adam");
    expect(formatConfigValue([{ lr: 0.1 }])).toBe('[{"lr":0.1}]');
    expect(formatConfigValue(true)).toBe("true");
  });

  it("shows metrics compactly, NaN and infinities by name", () => {
    expect(formatMetric(0.00075)).toBe("0.00075");
    expect(formatMetric(43944)).toBe("43,944");
    expect(formatMetric(Number.NaN)).toBe("NaN");
    expect(formatMetric(Number.POSITIVE_INFINITY)).toBe("∞");
    expect(formatMetric(1e-7)).toBe("1.00e-7");
  });
});
