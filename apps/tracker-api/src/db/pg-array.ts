/**
 * Postgres array literals, so a whole column of a batch travels as one text parameter
 * (`unnest($1::float8[], ...)`) the same way on postgres.js and PGlite.
 */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  const items = values.map((v) =>
    v === null ? "NULL" : `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`,
  );
  return `{${items.join(",")}}`;
}

/** Numbers print as Postgres reads them: NaN, Infinity and -Infinity included. */
export function numberArrayLiteral(values: readonly (number | null | undefined)[]): string {
  return `{${values.map((v) => (v === null || v === undefined ? "NULL" : String(v))).join(",")}}`;
}
