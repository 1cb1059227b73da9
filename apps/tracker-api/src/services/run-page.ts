import { type FilterField, parseFieldPath } from "@labtrack/core";
import { TRPCError } from "@trpc/server";
import { type SQL, sql } from "drizzle-orm";
import { runs } from "../db/schema.ts";
import { fieldSql } from "./run-query.ts";

/**
 * Pages of `runs.list` by key: a cursor holds the sort key values of the last run of the page and
 * its id, and the next page is the runs after it in the sort order. Runs inserted or removed
 * between two pages shift nothing: no run is shown twice and none is skipped.
 */

/** One ORDER BY term: an expression of a Postgres type, nulls last; the run id comes after them. */
interface SortKey {
  expr: SQL;
  type: "float8" | "text" | "timestamptz" | "text[]";
}

/**
 * Text keys sort on their first characters only, so that a cursor stays small whatever a run's
 * values hold (runs whose text agrees that far are ordered by id).
 */
const TEXT_KEY_CHARS = 200;
const textKey = (expr: SQL): SortKey => ({
  expr: sql`left(${expr}, ${sql.raw(String(TEXT_KEY_CHARS))})`,
  type: "text",
});

function parseSortField(fieldText: string): FilterField {
  try {
    return parseFieldPath(fieldText);
  } catch (error) {
    throw new TRPCError({ code: "BAD_REQUEST", message: `sort.field: ${(error as Error).message}` });
  }
}

/** The sort keys of a sort field (the run id, last, is not among them). */
function sortKeys(fieldText: string): SortKey[] {
  const field = parseSortField(fieldText);
  const f = fieldSql(field);
  // Config values: numbers in numeric order, then everything else by its text.
  if (field.scope === "config") return [{ expr: f.numeric, type: "float8" }, textKey(f.text)];
  if (field.scope === "summary") return [{ expr: f.numeric, type: "float8" }];
  if (field.scope === "keyValueTag") return [textKey(f.text)];
  if (field.key === "createdAt") return [{ expr: sql`${runs.createdAt}`, type: "timestamptz" }];
  if (field.key === "tags") return [{ expr: sql`${runs.tags}`, type: "text[]" }];
  return [textKey(f.text)];
}

/** Where a page ends: the sort it was made with, its last run's key values (as text) and id. */
interface PageCursor {
  sort: string;
  values: (string | null)[];
  id: string;
}

export interface RunPage {
  /** ORDER BY of the sort, the run id last. */
  orderBy: SQL;
  /** The key values to select beside each run (`k0`, `k1`, … as text), for the next cursor. */
  keyFields: Record<string, SQL<string | null>>;
  /** The runs after the cursor in that order; null on the first page. */
  after: SQL | null;
  /** The cursor of a page that ends with this row (a row selected with `keyColumns`). */
  cursorAfter(row: Record<string, unknown> & { id: string }): string;
}

function badCursor(): never {
  throw new TRPCError({
    code: "BAD_REQUEST",
    message: "cursor: not a cursor returned by runs.list for this sort (start again without one)",
  });
}

function decode(cursor: string, sort: string, keyCount: number): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    badCursor();
  }
  if (typeof parsed !== "object" || parsed === null) badCursor();
  const { s, v, id } = parsed as { s?: unknown; v?: unknown; id?: unknown };
  if (s !== sort || typeof id !== "string" || !/^[0-9a-f-]{36}$/i.test(id)) badCursor();
  if (!Array.isArray(v) || v.length !== keyCount) badCursor();
  if (!v.every((x) => x === null || typeof x === "string")) badCursor();
  return { sort: s, values: v as (string | null)[], id };
}

/**
 * `row after cursor` for keys in `direction` with nulls last, then the id: at the first key that
 * differs the row is past the cursor's value (or null where the cursor's is not), or every key
 * is equal and the id is past the cursor's.
 */
function afterSql(keys: SortKey[], cursor: PageCursor, direction: "asc" | "desc"): SQL {
  const past = sql.raw(direction === "asc" ? ">" : "<");
  let condition = sql`${runs.id} ${past} ${cursor.id}::uuid`;
  for (let i = keys.length - 1; i >= 0; i--) {
    const { expr, type } = keys[i]!;
    const value = cursor.values[i] ?? null;
    if (value === null) {
      condition = sql`(${expr} IS NULL AND ${condition})`;
    } else {
      const typed = sql`${value}::${sql.raw(type)}`;
      condition = sql`(${expr} ${past} ${typed} OR ${expr} IS NULL OR (${expr} = ${typed} AND ${condition}))`;
    }
  }
  return condition;
}

export function runPage(
  sort: { field: string; direction: "asc" | "desc" },
  cursor: string | undefined,
): RunPage {
  const keys = sortKeys(sort.field);
  const sortId = `${sort.direction}:${sort.field}`;
  const dir = sql.raw(sort.direction === "asc" ? "ASC" : "DESC");
  const orderBy = sql.join(
    [...keys.map((k) => sql`${k.expr} ${dir} NULLS LAST`), sql`${runs.id} ${dir}`],
    sql`, `,
  );
  const keyFields = Object.fromEntries(keys.map((k, i) => [`k${i}`, sql<string | null>`(${k.expr})::text`]));
  const after = cursor ? afterSql(keys, decode(cursor, sortId, keys.length), sort.direction) : null;
  return {
    orderBy,
    keyFields,
    after,
    cursorAfter(row) {
      const values = keys.map((_, i) => {
        const value = row[`k${i}`];
        return value === null || value === undefined ? null : String(value);
      });
      return Buffer.from(JSON.stringify({ s: sortId, v: values, id: row.id })).toString("base64url");
    },
  };
}
