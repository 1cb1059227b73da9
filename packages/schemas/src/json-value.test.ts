import { describe, expect, it } from "vitest";
import { jsonObject, jsonValue, jsonValueIssues, MAX_JSON_DEPTH } from "./json-value.ts";

const nest = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe("jsonValue", () => {
  it("takes JSON values up to MAX_JSON_DEPTH levels deep", () => {
    expect(jsonValue.parse({ a: [1, "x", null, true, { b: -0.5 }] })).toEqual({
      a: [1, "x", null, true, { b: -0.5 }],
    });
    expect(jsonValue.safeParse(nest(MAX_JSON_DEPTH)).success).toBe(true);
  });

  it("refuses deeper nesting with a path, without overflowing the stack at any depth", () => {
    const issues = jsonValueIssues(nest(MAX_JSON_DEPTH + 1));
    expect(issues).toEqual([{ path: Array(MAX_JSON_DEPTH).fill(0), message: "nests deeper than 32 levels" }]);
    // 100,000 levels: a recursive validator dies with "Maximum call stack size exceeded".
    expect(jsonValue.safeParse(nest(100_000)).error?.issues[0]?.message).toBe("nests deeper than 32 levels");
  });

  it("refuses NUL and lone surrogates in strings and keys at any depth, naming the path", () => {
    const result = jsonObject.safeParse({ ok: 1, a: { b: ["x", "y\u0000"] }, "k\u0000": 1, s: "\uD800" });
    const found = result.error?.issues.map((i) => [i.path.join("."), i.message]);
    expect(found?.sort()).toEqual([
      ["a.b.1", "must not contain NUL (\\u0000): Postgres text cannot hold it"],
      ["k\u0000", "key must not contain NUL (\\u0000): Postgres text cannot hold it"],
      ["s", "must not contain an unpaired UTF-16 surrogate (\\uD800-\\uDFFF): it is not valid Unicode"],
    ]);
    // A surrogate pair is one character, and fine.
    expect(jsonObject.safeParse({ "\u{1F600}": "\u{1F600}" }).success).toBe(true);
  });

  it("refuses what JSON cannot carry", () => {
    const bad = [Number.NaN, Number.POSITIVE_INFINITY, undefined, new Date(0), () => 1, 10n];
    for (const value of bad) expect(jsonValue.safeParse({ a: value }).success, String(value)).toBe(false);
    expect(jsonObject.safeParse([1]).error?.issues[0]?.message).toBe("must be an object");
    expect(jsonObject.safeParse(null).success).toBe(false);
  });
});
