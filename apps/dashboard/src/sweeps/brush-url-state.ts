/**
 * A brushed axis as a link keeps it: ranges in the axis's own units (a log axis's real values, not
 * their logarithms), or the categories kept (by value: their index moves when a category appears).
 */
export type StoredBrush =
  | { readonly kind: "ranges"; readonly ranges: readonly (readonly [number, number])[] }
  | { readonly kind: "values"; readonly values: readonly string[] };

/** Brushes by axis key, in the order they were made. */
export type StoredBrushes = ReadonlyMap<string, StoredBrush>;

export const NO_BRUSHES: StoredBrushes = new Map();

/** The query parameter that holds the brushes, on the sweep page and on Compare. */
export const BRUSH_PARAM = "brush";

// The separators below, and `%` itself, are escaped inside keys and values (decoded with
// decodeURIComponent); the URL's own encoding comes on top of this.
const SPECIAL = /[%;:=,~]/g;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

const escapePart = (text: string) =>
  text.replace(SPECIAL, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function unescapePart(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

// -0 is written as 0: a brush's end at zero is the same brush either way.
const formatNumber = (n: number) => String(n === 0 ? 0 : n);

function parseNumber(text: string): number | null {
  if (!NUMBER.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function parseRanges(text: string): [number, number][] | null {
  const ranges: [number, number][] = [];
  for (const part of text.split(",")) {
    const ends = part.split("~");
    if (ends.length !== 2) return null;
    const a = parseNumber(ends[0] as string);
    const b = parseNumber(ends[1] as string);
    if (a === null || b === null) return null;
    ranges.push(a <= b ? [a, b] : [b, a]);
  }
  return ranges;
}

function parseValues(text: string): string[] | null {
  const values: string[] = [];
  for (const part of text.split(",")) {
    const value = unescapePart(part);
    if (value === null) return null;
    values.push(value);
  }
  return values;
}

/**
 * Reads `key:lo~hi,lo~hi;key=value,value`: ranges per numeric axis, values per categorical one.
 * An entry that does not parse (a bad number, a bad escape, an empty key, a repeated key) is left
 * out and the others are kept; a missing or empty parameter is no brush at all.
 */
export function parseBrushParam(text: string | null): Map<string, StoredBrush> {
  const brushes = new Map<string, StoredBrush>();
  if (!text) return brushes;
  for (const entry of text.split(";")) {
    const at = entry.search(/[:=]/);
    if (at <= 0) continue;
    const key = unescapePart(entry.slice(0, at));
    if (key === null || key === "" || brushes.has(key)) continue;
    const body = entry.slice(at + 1);
    if (entry[at] === ":") {
      const ranges = parseRanges(body);
      if (ranges) brushes.set(key, { kind: "ranges", ranges });
    } else {
      const values = parseValues(body);
      if (values) brushes.set(key, { kind: "values", values });
    }
  }
  return brushes;
}

/** The parameter's value for these brushes ("" when there are none, to drop the parameter). */
export function formatBrushParam(brushes: StoredBrushes): string {
  const entries: string[] = [];
  for (const [key, brush] of brushes) {
    if (key === "") continue;
    if (brush.kind === "ranges") {
      const ranges = brush.ranges.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
      if (ranges.length === 0) continue;
      const text = ranges
        .map(([a, b]) => `${formatNumber(Math.min(a, b))}~${formatNumber(Math.max(a, b))}`)
        .join(",");
      entries.push(`${escapePart(key)}:${text}`);
    } else if (brush.values.length > 0) {
      entries.push(`${escapePart(key)}=${brush.values.map(escapePart).join(",")}`);
    }
  }
  return entries.join(";");
}
