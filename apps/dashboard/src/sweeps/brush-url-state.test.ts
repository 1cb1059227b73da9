import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { goalBrushKey, intervalsOfStored, storedOfIntervals } from "./brush-intervals.ts";
import { formatBrushParam, parseBrushParam, type StoredBrush } from "./brush-url-state.ts";
import { GOAL_AXIS, type ParamAxis } from "./param-axes.ts";

// Keys and values with the separators, `%`, spaces and non-ASCII text in them.
const text = fc.string({
  unit: fc.constantFrom("a", "Z", "0", "%", ";", ":", "=", ",", "~", " ", "/", "é", "+"),
});
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n));
const range = fc.tuple(finite, finite).map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));
const brush: fc.Arbitrary<StoredBrush> = fc.oneof(
  fc.array(range, { minLength: 1, maxLength: 4 }).map((ranges) => ({ kind: "ranges" as const, ranges })),
  fc.array(text, { minLength: 1, maxLength: 4 }).map((values) => ({ kind: "values" as const, values })),
);
const brushes = fc
  .uniqueArray(
    fc.tuple(
      text.filter((k) => k !== ""),
      brush,
    ),
    { selector: ([key]) => key, maxLength: 5 },
  )
  .map((entries) => new Map(entries));

describe("brushes in a URL", () => {
  it("read back as they were written, through the URL's own encoding too", () => {
    fc.assert(
      fc.property(brushes, (state) => {
        const written = formatBrushParam(state);
        expect(parseBrushParam(written)).toEqual(state);
        const url = new URLSearchParams({ brush: written }).toString();
        expect(parseBrushParam(new URLSearchParams(url).get("brush"))).toEqual(state);
      }),
    );
  });

  it("keep separators inside keys and values, and write plain ones as they are", () => {
    const state = new Map<string, StoredBrush>([
      ["lr", { kind: "ranges", ranges: [[1e-5, 0.001]] }],
      ["a:b;c", { kind: "values", values: ["x,y", "50%"] }],
    ]);
    expect(formatBrushParam(state)).toBe("lr:0.00001~0.001;a%3Ab%3Bc=x%2Cy,50%25");
    expect(parseBrushParam(formatBrushParam(state))).toEqual(state);
  });

  it("leave out each malformed entry and keep the rest, never throwing", () => {
    const good = { kind: "ranges", ranges: [[0.1, 0.5]] };
    for (const bad of [
      "x:1~",
      "x:~2",
      "x:1~2~3",
      "x:abc~1",
      "x:1e999~2",
      "x:0x10~2",
      "x:",
      ":1~2",
      "=a",
      "x=%E0%A4%A",
      "%ZZ:1~2",
      "x",
      "",
    ]) {
      expect(parseBrushParam(`${bad};ok:0.5~0.1`)).toEqual(new Map([["ok", good]]));
    }
    expect(parseBrushParam(null).size).toBe(0);
    // A repeated axis keeps its first brush.
    expect(parseBrushParam("ok:0.1~0.5;ok:3~4")).toEqual(new Map([["ok", good]]));
    fc.assert(fc.property(fc.string(), (s) => void parseBrushParam(s)));
  });
});

describe("brushes on the chart's axes", () => {
  const axes: ParamAxis[] = [
    { key: "lr", scale: "log", categories: [] },
    { key: "optimizer", scale: "category", categories: ["adam", "sgd", "adamw", "lion"] },
    { key: "layers", scale: "linear", categories: [] },
  ];
  const label = "val/loss (min)";

  it("keep categories by value, so that a reordered axis still brushes the same ones", () => {
    const kept = storedOfIntervals(axes[1] as ParamAxis, [[0.76, 2.2]]);
    expect(kept).toEqual({ kind: "values", values: ["sgd", "adamw"] });
    const reordered: ParamAxis = {
      key: "optimizer",
      scale: "category",
      categories: ["adamw", "lion", "sgd"],
    };
    const restored = intervalsOfStored(new Map([["optimizer", kept as StoredBrush]]), [reordered], label);
    // adamw is now index 0 and sgd index 2: two separate brushes, around their ticks only.
    expect(restored.get("optimizer")).toEqual([
      [-0.3, 0.3],
      [1.7, 2.3],
    ]);
  });

  it("keep numeric axes and the goal in their own units, the goal named after its metric", () => {
    const stored = new Map<string, StoredBrush>([
      ["lr", { kind: "ranges", ranges: [[1e-4, 0.01]] }],
      [goalBrushKey(label), { kind: "ranges", ranges: [[0.2, 0.4]] }],
      ["layers", { kind: "values", values: ["3"] }],
      ["gone", { kind: "ranges", ranges: [[1, 2]] }],
    ]);
    const intervals = intervalsOfStored(stored, axes, label);
    expect([...intervals]).toEqual([
      ["lr", [[1e-4, 0.01]]],
      [GOAL_AXIS, [[0.2, 0.4]]],
    ]);
    // Another metric's goal brush is not laid over this one's.
    expect(intervalsOfStored(stored, axes, "acc (max)").has(GOAL_AXIS)).toBe(false);
    expect(storedOfIntervals(null, [[0.4, 0.2]])).toEqual({ kind: "ranges", ranges: [[0.2, 0.4]] });
    expect(storedOfIntervals(axes[0] as ParamAxis, [])).toBeNull();
    // Zero and below have no place on a log axis.
    const negative = new Map<string, StoredBrush>([["lr", { kind: "ranges", ranges: [[-1, 0.01]] }]]);
    expect(intervalsOfStored(negative, axes, label).size).toBe(0);
  });
});
