import { z } from "zod";

/**
 * What Postgres can store, as zod checks. Every text and JSON value that reaches a column goes
 * through these, so a value Postgres would refuse is a 400 naming its field, never a failed query.
 */

/** A lone surrogate (with the `u` flag a paired one is one code point and does not match). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why Postgres cannot store this text as given, or null when it can. */
export function pgTextProblem(text: string): string | null {
  if (text.includes("\u0000")) return "must not contain NUL (\\u0000): Postgres text cannot hold it";
  if (LONE_SURROGATE.test(text)) {
    return "must not contain an unpaired UTF-16 surrogate (\\uD800-\\uDFFF): it is not valid Unicode";
  }
  return null;
}

/**
 * A string Postgres stores unchanged. Lengths (`.min`, `.max`) count characters (Unicode code
 * points), as Postgres' `char_length` and Python's `len` do.
 */
export function pgText() {
  return z.string().superRefine((text, ctx) => {
    const problem = pgTextProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

/** Characters (code points) in a string: the unit every length limit here is counted in. */
export function charLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** The smallest and largest values of a Postgres `integer` (int4) column. */
export const PG_INT_MIN = -2_147_483_648;
export const PG_INT_MAX = 2_147_483_647;

/** An integer that fits a Postgres `integer` column (or a value the server casts to one). */
export function pgInt() {
  return z.int().min(PG_INT_MIN).max(PG_INT_MAX);
}
