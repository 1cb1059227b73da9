/**
 * Doubles as protobuf's JSON mapping writes them: NaN and the infinities become the strings
 * "NaN", "Infinity" and "-Infinity" (JSON has no literal for them); finite values stay numbers.
 */
export function doubleToWire(value: number): number | "NaN" | "Infinity" | "-Infinity" {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  return value;
}

/** Reads a double as protobuf's JSON parser accepts it: a number, or a numeric / NaN / Infinity string. */
export function doubleFromWire(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return null;
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  if (value.trim() === "" || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value.trim())) return null;
  return Number(value);
}

/** 2^63: the first integer past int64's range (2^63 - 1 itself reads as 2^63 in a double). */
const INT64_END = 2 ** 63;

/**
 * Reads an int64 as protobuf's JSON parser does: an integral number in int64's range, or a decimal
 * string (one that a double holds exactly).
 */
export function int64FromWire(value: unknown): number | null {
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= -INT64_END && value < INT64_END ? value : null;
  }
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}
