import type { JsonValue } from "@labtrack/schemas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffConfigKeys, flattenConfig, jsonEqual } from "./config-flatten.ts";

describe("flattenConfig", () => {
  it("turns nested objects into dotted keys", () => {
    expect(flattenConfig({ optimizer: { lr: 1, betas: [0.9, 0.99] }, epochs: 10 })).toEqual({
      "optimizer.lr": 1,
      "optimizer.betas": [0.9, 0.99],
      epochs: 10,
    });
  });

  it("flattens several levels deep", () => {
    expect(flattenConfig({ a: { b: { c: { d: "x" } } } })).toEqual({ "a.b.c.d": "x" });
  });

  it("keeps arrays (even of objects), scalars and null as values", () => {
    const config = { layers: [{ units: 64 }], dropout: null, aug: true, name: "m" };
    expect(flattenConfig(config)).toEqual(config);
  });

  it("keeps an empty object as a value", () => {
    expect(flattenConfig({ extra: {}, model: { head: {} } })).toEqual({ extra: {}, "model.head": {} });
  });

  it("leaves already-flat configs unchanged", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean())), (config) => {
        expect(flattenConfig(config)).toEqual(config);
      }),
    );
  });
});

describe("flattenConfig with a __proto__ key", () => {
  it("keeps it as a key", () => {
    const config = JSON.parse('{"__proto__": 0, "a": {"__proto__": 1}}') as Record<string, JsonValue>;
    const flat = flattenConfig(config);
    expect(Object.keys(flat)).toEqual(["__proto__", "a.__proto__"]);
    expect(flat.__proto__).toBe(0);
  });
});

describe("diffConfigKeys", () => {
  it("lists keys whose values differ, sorted", () => {
    const a = { lr: 0.01, optimizer: { name: "adam", beta: 0.9 }, epochs: 10 };
    const b = { lr: 0.001, optimizer: { name: "adam", beta: 0.95 }, epochs: 10 };
    expect(diffConfigKeys([a, b])).toEqual(["lr", "optimizer.beta"]);
  });

  it("counts a missing key as different", () => {
    expect(diffConfigKeys([{ a: 1, b: 2 }, { a: 1 }, { a: 1, b: 2 }])).toEqual(["b"]);
    expect(diffConfigKeys([{ a: 1 }, { a: 1, c: null }])).toEqual(["c"]);
  });

  it("compares arrays and objects structurally", () => {
    expect(
      diffConfigKeys([
        { sizes: [224, 224], x: {} },
        { sizes: [224, 224], x: {} },
      ]),
    ).toEqual([]);
    expect(diffConfigKeys([{ sizes: [224, 224] }, { sizes: [224, 160] }])).toEqual(["sizes"]);
  });

  it("returns nothing for zero or one config", () => {
    expect(diffConfigKeys([])).toEqual([]);
    expect(diffConfigKeys([{ a: 1, b: { c: 2 } }])).toEqual([]);
  });

  it("distinguishes values of different types", () => {
    expect(diffConfigKeys([{ a: 1 }, { a: "1" }])).toEqual(["a"]);
    expect(diffConfigKeys([{ a: null }, { a: false }])).toEqual(["a"]);
  });
});

describe("jsonEqual", () => {
  it("ignores object key order", () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
  });
});
