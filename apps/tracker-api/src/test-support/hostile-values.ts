import fc from "fast-check";

/**
 * Values a hostile or unlucky client sends: text Postgres cannot store, numbers past every column,
 * nesting deep enough to overflow a recursive validator, keys at the length limit, dates only
 * JavaScript reads. Sizes stay under what fits in a GET query string (Node refuses more than 16 KB
 * of request head before the API sees it).
 */
const nested = (depth: number, leaf: unknown, asObject: boolean): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asObject ? { k: value } : [value];
  return value;
};

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "a\u0000b",
    "\u0000",
    "\uD800",
    "x\uDFFF",
    "\u{1F600}".repeat(129),
    "k".repeat(257),
    "k".repeat(2000),
    "",
    " ",
    "1",
    "March 7",
    "2026-02-30",
    "2026-03-07T24:00",
    "0000-01-01",
    "9999-12-31T23:59:59-15:00",
    "'; DROP TABLE runs; --",
    "%_\\",
    "NaN",
    "-Infinity",
    "1e309",
    "__proto__",
    "constructor",
    "00000000-0000-4000-8000-000000000000",
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom("\u0000", "\uD800", "a", "é", "\u{1F600}", " ", "."), maxLength: 20 }),
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31) - 1,
    2 ** 40,
    2 ** 53,
    2 ** 63,
    1e300,
    -1e300,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    -1,
    0.5,
    -0,
    1e-7,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constantFrom(null, true, false, [], {}),
  fc.constantFrom(40, 200).chain((depth) => fc.boolean().map((asObject) => nested(depth, 1, asObject))),
  hostileString.map((key) => ({ [key]: 1 })),
  hostileString.map((value) => ({ a: { b: [value] } })),
  fc.array(hostileString, { maxLength: 3 }),
);

/** Filter text built from the language's own pieces and hostile values, valid or not. */
export const hostileFilter: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        "createdAt",
        "config.lr",
        "summary.loss.max",
        "name",
        "status",
        "tags",
        "tags.k",
        'config."a b"',
      ),
      fc.constantFrom("=", "!=", "<", ">=", "~", "in", "has"),
      fc.oneof(
        hostileString.map((s) => `'${s.replace(/['\\]/g, "")}'`),
        hostileNumber.map(String),
        fc.constantFrom("true", "null", "('1', 'March 7')", "(1e400, -1e400)", "running", "'2026-03-07'"),
      ),
    )
    .map(([field, op, value]) => `${field} ${op} ${value}`),
  fc.integer({ min: 1, max: 300 }).map((n) => `${"not ".repeat(n)}name = a`),
  fc.integer({ min: 1, max: 100 }).map((n) => `${"(".repeat(n)}name = a${")".repeat(n)}`),
  fc
    .integer({ min: 1, max: 200 })
    .map((n) => Array.from({ length: n }, (_, i) => `config.a = ${i}`).join(" or ")),
  fc
    .array(
      fc.constantFrom("(", ")", "and", "or", "not", "=", "'x'", "config.", "createdAt", "~", ",", "in", '"'),
      {
        maxLength: 12,
      },
    )
    .map((parts) => parts.join(" ")),
);
