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

const numberItem = (v: number | null | undefined): string =>
  v === null || v === undefined ? "NULL" : Object.is(v, -0) ? "-0" : String(v);

/** Numbers print as Postgres reads them: NaN, Infinity, -Infinity and -0 (String(-0) is "0") included. */
export function numberArrayLiteral(values: readonly (number | null | undefined)[]): string {
  return `{${values.map(numberItem).join(",")}}`;
}
