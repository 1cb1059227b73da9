import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type FilterExpr,
  type FilterField,
  FilterSyntaxError,
  formatFieldPath,
  formatRunFilter,
  MAX_FILTER_NESTING,
  parseFieldPath,
  parseRunFilter,
} from "./run-filter.ts";

const config = (key: string): FilterField => ({ scope: "config", key });
const summary = (key: string, stat: "last" | "min" | "max" = "last"): FilterField => ({
  scope: "summary",
  key,
  stat,
});
const tags: FilterField = { scope: "run", key: "tags" };

function syntaxError(text: string): FilterSyntaxError {
  try {
    parseRunFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${text} not to parse`);
}

describe("parseRunFilter", () => {
  it("returns null for an empty filter", () => {
    expect(parseRunFilter("")).toBeNull();
    expect(parseRunFilter("  \n\t ")).toBeNull();
  });

  it("parses the documented example", () => {
    expect(parseRunFilter("config.lr < 0.01 and summary.val_accuracy.max > 0.9")).toEqual({
      type: "and",
      left: { type: "compare", field: config("lr"), op: "<", value: 0.01 },
      right: { type: "compare", field: summary("val_accuracy", "max"), op: ">", value: 0.9 },
    });
  });

  it("gives 'and' precedence over 'or', and 'not' over both", () => {
    const a = { type: "compare", field: config("a"), op: "=", value: 1 } as const;
    const b = { type: "compare", field: config("b"), op: "=", value: 2 } as const;
    const c = { type: "compare", field: config("c"), op: "=", value: 3 } as const;
    expect(parseRunFilter("config.a = 1 or config.b = 2 and config.c = 3")).toEqual({
      type: "or",
      left: a,
      right: { type: "and", left: b, right: c },
    });
    expect(parseRunFilter("(config.a = 1 OR config.b = 2) AnD NOT config.c = 3")).toEqual({
      type: "and",
      left: { type: "or", left: a, right: b },
      right: { type: "not", expr: c },
    });
  });

  it("reads config keys with dots, slashes and dashes, and quoted keys", () => {
    const field = (text: string) => {
      const expr = parseRunFilter(`${text} = 1`);
      return expr?.type === "compare" ? expr.field : undefined;
    };
    expect(field("config.optimizer.lr")).toEqual(config("optimizer.lr"));
    expect(field("config.data/aug-level")).toEqual(config("data/aug-level"));
    expect(field('config."my key"')).toEqual(config("my key"));
    expect(field("config.'a.b c'")).toEqual(config("a.b c"));
  });

  it("reads summary keys with slashes and dots, and an optional stat", () => {
    expect(parseFieldPath("summary.val/accuracy.max")).toEqual(summary("val/accuracy", "max"));
    expect(parseFieldPath("summary.val/accuracy")).toEqual(summary("val/accuracy"));
    expect(parseFieldPath("summary.train.loss.min")).toEqual(summary("train.loss", "min"));
    expect(parseFieldPath("summary.train.loss")).toEqual(summary("train.loss"));
    expect(parseFieldPath("summary.max")).toEqual(summary("max"));
    expect(parseFieldPath('summary."val acc".min')).toEqual(summary("val acc", "min"));
    expect(parseFieldPath('summary."loss.max"')).toEqual(summary("loss.max"));
  });

  it("parses every operator, with or without spaces", () => {
    for (const op of ["=", "!=", "<", "<=", ">", ">="] as const) {
      expect(parseRunFilter(`config.lr${op}2`)).toEqual({
        type: "compare",
        field: config("lr"),
        op,
        value: 2,
      });
    }
    expect(parseRunFilter("config.lr == 2")).toEqual({
      type: "compare",
      field: config("lr"),
      op: "=",
      value: 2,
    });
    expect(parseRunFilter("name ~ ResNet")).toEqual({
      type: "compare",
      field: { scope: "run", key: "name" },
      op: "~",
      value: "ResNet",
    });
  });

  it("parses numbers, strings, barewords, booleans and null", () => {
    const value = (text: string) => {
      const expr = parseRunFilter(`config.x = ${text}`);
      return expr?.type === "compare" ? expr.value : undefined;
    };
    expect(value("1e-3")).toBe(0.001);
    expect(value("-0.5")).toBe(-0.5);
    expect(value(".25")).toBe(0.25);
    expect(value("3E2")).toBe(300);
    expect(value("'it is'")).toBe("it is");
    expect(value('"say \\"hi\\""')).toBe('say "hi"');
    expect(value('"42"')).toBe("42");
    expect(value("adam")).toBe("adam");
    expect(value("mobilenet_v2")).toBe("mobilenet_v2");
    expect(value("TRUE")).toBe(true);
    expect(value("false")).toBe(false);
    expect(value("null")).toBeNull();
    expect(value("2024-01-31")).toBe("2024-01-31");
  });

  it("keeps text spelling for '~' and 'has'", () => {
    expect(parseRunFilter("name ~ 50")).toMatchObject({ value: "50" });
    expect(parseRunFilter("tags has 2024")).toEqual({ type: "has", field: tags, value: "2024" });
  });

  it("parses 'in' lists", () => {
    expect(parseRunFilter("config.batch in (16, 32, 'x', null)")).toEqual({
      type: "in",
      field: config("batch"),
      values: [16, 32, "x", null],
    });
    expect(parseRunFilter("status IN (running,queued)")).toEqual({
      type: "in",
      field: { scope: "run", key: "status" },
      values: ["running", "queued"],
    });
  });

  it("treats tag tests as membership", () => {
    expect(parseRunFilter("tags has baseline")).toEqual({ type: "has", field: tags, value: "baseline" });
    expect(parseRunFilter("tag = baseline")).toEqual({ type: "has", field: tags, value: "baseline" });
    expect(parseRunFilter("tag != 'old run'")).toEqual({
      type: "not",
      expr: { type: "has", field: tags, value: "old run" },
    });
    expect(parseRunFilter("config.layers has 64")).toEqual({
      type: "has",
      field: config("layers"),
      value: "64",
    });
  });

  it("reads tags.<key> as a key/value tag compared as text, and keeps `tags has` for label tags", () => {
    const source: FilterField = { scope: "keyValueTag", key: "labtrack.source" };
    expect(parseRunFilter('tags."labtrack.source" = "/abs/dir"')).toEqual({
      type: "compare",
      field: source,
      op: "=",
      value: "/abs/dir",
    });
    expect(parseRunFilter("tags.epochs = 10")).toEqual({
      type: "compare",
      field: { scope: "keyValueTag", key: "epochs" },
      op: "=",
      value: "10",
    });
    expect(parseRunFilter("tags.mlflow.user in (ann, 7) and tags.note != null")).toEqual({
      type: "and",
      left: { type: "in", field: { scope: "keyValueTag", key: "mlflow.user" }, values: ["ann", "7"] },
      right: { type: "compare", field: { scope: "keyValueTag", key: "note" }, op: "!=", value: null },
    });
    expect(parseRunFilter("tags has best")).toEqual({ type: "has", field: tags, value: "best" });
    expect(formatFieldPath(source)).toBe("tags.labtrack.source");
    expect(formatFieldPath({ scope: "keyValueTag", key: "a b" })).toBe('tags."a b"');
    expect(syntaxError("tags.x has y").message).toMatch(/'has' works on tags and config fields/);
  });

  it("accepts run fields case-insensitively", () => {
    expect(parseFieldPath("createdat")).toEqual({ scope: "run", key: "createdAt" });
    expect(parseFieldPath(" Runner ")).toEqual({ scope: "run", key: "runner" });
    expect(parseFieldPath("CONFIG.lr")).toEqual(config("lr"));
  });
});

describe("filter syntax errors", () => {
  it("says a value is expected after an operator, and where", () => {
    const error = syntaxError("config.lr < ");
    expect(error.message).toBe("expected a value after '<' at column 13 but found the end of the filter");
    expect(error.position).toBe(12);
    expect(syntaxError("config.lr < and config.b = 1").message).toMatch(
      /expected a value after '<' at column 13/,
    );
  });

  it("names unknown fields", () => {
    const error = syntaxError("config.lr < 1 and accuracy > 0.9");
    expect(error.message).toMatch(/^unknown field 'accuracy' at column 19/);
    expect(error.position).toBe(18);
  });

  it("reports a missing operator", () => {
    expect(syntaxError("config.lr 0.1").message).toBe(
      "expected an operator (=, !=, <, <=, >, >=, ~, in, has) after 'config.lr' at column 11 but found '0.1'",
    );
  });

  it("reports unbalanced parentheses and trailing input", () => {
    expect(syntaxError("(config.a = 1").message).toBe(
      "expected ')' (to close the '(' at column 1) at column 14 but found the end of the filter",
    );
    expect(syntaxError("config.a = 1)").message).toMatch(
      /expected 'and', 'or' or the end of the filter at column 13/,
    );
    expect(syntaxError("config.a = 1 config.b = 2").position).toBe(13);
    expect(syntaxError("()").message).toMatch(/^expected a condition .* at column 2 but found '\)'/);
  });

  it("reports bad lists", () => {
    expect(syntaxError("config.a in 1, 2").message).toMatch(/expected '\(' after 'in' at column 13/);
    expect(syntaxError("config.a in (1 2)").message).toMatch(/expected ',' or '\)' in the list at column 16/);
    expect(syntaxError("config.a in ()").message).toMatch(/expected a value after '\(' at column 14/);
  });

  it("reports lexical errors", () => {
    expect(syntaxError("name = 'abc").message).toBe("unterminated string starting at column 8");
    expect(syntaxError("name ! x").message).toBe("expected '=' after '!' at column 7");
  });

  it("rejects empty keys, unknown statuses and unsupported operators", () => {
    expect(syntaxError("config. = 1").message).toMatch(/expected a key after 'config.' at column 8/);
    expect(syntaxError("summary = 1").message).toMatch(/expected a key after 'summary.'/);
    expect(syntaxError("status = runing").message).toMatch(/unknown status "runing" at column 10/);
    expect(syntaxError("tags < a").message).toMatch(/tags can be tested with has, =, != or in/);
    expect(syntaxError("name has x").message).toMatch(/'has' works on tags and config fields/);
    expect(() => parseFieldPath("")).toThrow(FilterSyntaxError);
    expect(() => parseFieldPath("val_loss")).toThrow("unknown field 'val_loss'");
  });
});

const keyArb = fc.string({ minLength: 1, maxLength: 12 });
const fieldArb: fc.Arbitrary<FilterField> = fc.oneof(
  keyArb.map(config),
  fc
    .tuple(keyArb, fc.constantFrom("last", "min", "max") as fc.Arbitrary<"last" | "min" | "max">)
    .map(([k, s]) => summary(k, s)),
  fc.constantFrom("name", "group", "runner").map((key) => ({ scope: "run", key }) as FilterField),
);
const createdAt: FilterField = { scope: "run", key: "createdAt" };
/** createdAt takes ISO-8601 dates (or epoch seconds), never free text. */
const dateValueArb = fc.oneof(
  fc
    .date({
      min: new Date("0001-01-01T00:00:00Z"),
      max: new Date("9999-12-31T23:59:59Z"),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  fc.integer(),
  fc.constant(null),
);
const keyValueTagArb = keyArb.map((key): FilterField => ({ scope: "keyValueTag", key }));
const valueArb = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const leafArb: fc.Arbitrary<FilterExpr> = fc.oneof(
  fc.record({
    type: fc.constant("compare" as const),
    field: fieldArb,
    op: fc.constantFrom("=", "!=", "<", "<=", ">", ">=") as fc.Arbitrary<
      "=" | "!=" | "<" | "<=" | ">" | ">="
    >,
    value: valueArb,
  }),
  fc.record({
    type: fc.constant("compare" as const),
    field: fieldArb,
    op: fc.constant("~" as const),
    value: fc.string(),
  }),
  fc.record({
    type: fc.constant("in" as const),
    field: fieldArb,
    values: fc.array(valueArb, { minLength: 1 }),
  }),
  fc.record({ type: fc.constant("has" as const), field: fc.constant(tags), value: fc.string() }),
  fc.record({
    type: fc.constant("compare" as const),
    field: keyValueTagArb,
    op: fc.constantFrom("=", "!=", "<", ">=") as fc.Arbitrary<"=" | "!=" | "<" | ">=">,
    value: fc.option(fc.string({ maxLength: 10 }), { nil: null }),
  }),
  fc.record({
    type: fc.constant("compare" as const),
    field: fc.constant(createdAt),
    op: fc.constantFrom("=", "!=", "<", "<=", ">", ">=") as fc.Arbitrary<
      "=" | "!=" | "<" | "<=" | ">" | ">="
    >,
    value: dateValueArb,
  }),
  fc.record({
    type: fc.constant("in" as const),
    field: fc.constant(createdAt),
    values: fc.array(dateValueArb, { minLength: 1 }),
  }),
);
const exprArb = fc.letrec<{ expr: FilterExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true, maxDepth: 12 },
    leafArb,
    fc.record({
      type: fc.constantFrom("and", "or") as fc.Arbitrary<"and" | "or">,
      left: tie("expr"),
      right: tie("expr"),
    }),
    fc.record({ type: fc.constant("not" as const), expr: tie("expr") }),
  ),
})).expr;

describe("dates and nesting", () => {
  it("takes only ISO-8601 dates for createdAt, which Postgres reads the same way", () => {
    for (const text of [
      "2026-03-07",
      "2026-03-07T12:30",
      "2026-03-07 12:30:15.25Z",
      "2026-03-07T12:30:00+02:00",
    ]) {
      expect(parseRunFilter(`createdAt > '${text}'`), text).toMatchObject({ value: text });
    }
    // JavaScript's Date.parse reads all of these; Postgres refuses them or reads them otherwise.
    for (const text of [
      "1",
      "March 7",
      "2026-02-30",
      "2026-13-01",
      "2026-03-07T24:00",
      "0000-01-01",
      "tomorrow",
    ]) {
      expect(syntaxError(`createdAt > '${text}'`).message, text).toMatch(
        /^createdAt: ".*" at column 13 is not an ISO-8601 date/,
      );
    }
    expect(syntaxError("createdAt in ('2026-01-01', 'March 7')").message).toMatch(/"March 7" at column 29/);
    expect(syntaxError("createdAt ~ 2026").message).toMatch(/createdAt is a date/);
  });

  it("refuses parentheses and 'not' nested past the limit, with the column", () => {
    expect(parseRunFilter(`${"not ".repeat(MAX_FILTER_NESTING)}name = a`)).not.toBeNull();
    expect(syntaxError(`${"not ".repeat(200)}name = a`).message).toBe(
      `the filter nests parentheses and 'not' more than ${MAX_FILTER_NESTING} deep at column ${4 * MAX_FILTER_NESTING + 1}`,
    );
    const parens = `${"(".repeat(MAX_FILTER_NESTING + 1)}name = a${")".repeat(MAX_FILTER_NESTING + 1)}`;
    expect(syntaxError(parens).message).toMatch(/more than 32 deep at column 33$/);
    // A long flat chain is not nesting.
    expect(
      parseRunFilter(Array.from({ length: 300 }, (_, i) => `config.a = ${i}`).join(" or ")),
    ).not.toBeNull();
  });
});

describe("round trips", () => {
  it("formatRunFilter output parses back to the same expression", () => {
    fc.assert(
      fc.property(exprArb, (expr) => {
        expect(parseRunFilter(formatRunFilter(expr))).toEqual(expr);
      }),
      { numRuns: 500 },
    );
  });

  it("formatFieldPath output parses back to the same field", () => {
    fc.assert(
      fc.property(fc.oneof(fieldArb, keyValueTagArb), (field) => {
        expect(parseFieldPath(formatFieldPath(field))).toEqual(field);
      }),
    );
  });

  it("formats canonically", () => {
    const text = "not (config.lr < 0.01 or tag = a) and summary.val/acc > 0.5 and name ~ 'x y'";
    const expr = parseRunFilter(text);
    expect(expr && formatRunFilter(expr)).toBe(
      'not (config.lr < 0.01 or tags has a) and summary.val/acc.last > 0.5 and name ~ "x y"',
    );
    expect(formatFieldPath(summary("loss.max"))).toBe("summary.loss.max.last");
    expect(formatFieldPath(config("my key"))).toBe('config."my key"');
    expect(formatFieldPath({ scope: "run", key: "createdAt" })).toBe("createdAt");
  });
});
