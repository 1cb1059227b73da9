import { describe, expect, it } from "vitest";
import { metricKey } from "./metric.ts";
import { charLength, PG_INT_MAX, pgInt, pgText, pgTextProblem } from "./pg-text.ts";

describe("pgText", () => {
  it("refuses NUL and unpaired surrogates, keeps everything else", () => {
    expect(pgTextProblem("a\u0000b")).toMatch(/NUL/);
    expect(pgTextProblem("\uDC00x")).toMatch(/unpaired UTF-16 surrogate/);
    expect(pgTextProblem("x\uD83D")).toMatch(/unpaired UTF-16 surrogate/);
    expect(pgTextProblem("tab\tnew\nline \u{1F600} é \uFFFF")).toBeNull();
    expect(pgText().max(3).safeParse("a\u0000").error?.issues[0]?.message).toMatch(/NUL/);
  });

  it("counts lengths in characters (code points), as Postgres and Python do", () => {
    const emoji = "\u{1F600}";
    expect(charLength(emoji.repeat(129))).toBe(129);
    expect(emoji.repeat(129).length).toBe(258);
    // 258 UTF-16 units, 129 characters: within a 256-character limit.
    expect(metricKey.safeParse(emoji.repeat(129)).success).toBe(true);
    expect(metricKey.safeParse(emoji.repeat(256)).success).toBe(true);
    expect(metricKey.safeParse(emoji.repeat(257)).success).toBe(false);
    expect(metricKey.safeParse("k".repeat(257)).success).toBe(false);
    expect(metricKey.safeParse(`${"k".repeat(255)}\uD800`).success).toBe(false);
  });

  it("bounds integers to a Postgres integer column", () => {
    expect(pgInt().safeParse(PG_INT_MAX).success).toBe(true);
    expect(pgInt().safeParse(2 ** 31).success).toBe(false);
    expect(pgInt().safeParse(-(2 ** 31)).success).toBe(true);
    expect(pgInt().safeParse(-(2 ** 31) - 1).success).toBe(false);
  });
});
