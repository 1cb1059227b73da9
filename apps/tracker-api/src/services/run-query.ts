import {
  type FilterExpr,
  type FilterField,
  type FilterValue,
  ISO_DATE_HELP,
  isoDateToEpochSeconds,
} from "@labtrack/core";
import { TRPCError } from "@trpc/server";
import { type SQL, sql } from "drizzle-orm";
import { runs } from "../db/schema.ts";

/** How a filter field reads as SQL: numerically, as text, or as JSON (config values). */
interface FieldSql {
  numeric: SQL;
  text: SQL;
  json?: SQL;
  isTimestamp?: boolean;
}

const SUMMARY_COLUMNS = { last: sql.raw("last"), min: sql.raw("min"), max: sql.raw("max") } as const;

/** How a filter or sort field reads as SQL. */
export function fieldSql(field: FilterField): FieldSql {
  switch (field.scope) {
    case "config": {
      const json = sql`(${runs.config} -> ${field.key})`;
      return {
        json,
        numeric: sql`(CASE WHEN jsonb_typeof(${json}) = 'number' THEN (${runs.config} ->> ${field.key})::float8 END)`,
        text: sql`(${runs.config} ->> ${field.key})`,
      };
    }
    case "summary": {
      const value = sql`(SELECT ms.${SUMMARY_COLUMNS[field.stat]} FROM metric_summaries ms WHERE ms.run_id = ${runs.id} AND ms.key = ${field.key})`;
      return { numeric: value, text: sql`(${value})::text` };
    }
    case "keyValueTag":
      return { numeric: sql`NULL::float8`, text: sql`(${runs.keyValueTags} ->> ${field.key})` };
    case "run": {
      const column = {
        name: runs.name,
        status: runs.status,
        group: runs.group,
        runner: runs.runner,
        createdAt: runs.createdAt,
        tags: runs.tags,
      }[field.key];
      if (field.key === "createdAt") {
        return { numeric: sql`extract(epoch from ${column})`, text: sql`${column}`, isTimestamp: true };
      }
      return { numeric: sql`NULL::float8`, text: sql`${column}` };
    }
  }
}

function bad(message: string): never {
  throw new TRPCError({ code: "BAD_REQUEST", message: `filter: ${message}` });
}

const COMPARISON: Record<string, SQL> = {
  "=": sql.raw("="),
  "!=": sql.raw("<>"),
  "<": sql.raw("<"),
  "<=": sql.raw("<="),
  ">": sql.raw(">"),
  ">=": sql.raw(">="),
};

function compareSql(field: FilterField, op: string, value: FilterValue): SQL {
  const f = fieldSql(field);
  if (field.scope === "run" && field.key === "tags") {
    if (op === "=" && typeof value === "string") return sql`${value} = ANY(${runs.tags})`;
    if (op === "!=" && typeof value === "string") return sql`NOT (${value} = ANY(${runs.tags}))`;
    bad("tags are matched with `tags has <tag>`");
  }
  if (value === null) {
    const target = f.json ?? f.text;
    if (op === "=")
      return f.json ? sql`(${target} IS NULL OR ${target} = 'null'::jsonb)` : sql`${target} IS NULL`;
    if (op === "!=")
      return f.json
        ? sql`(${target} IS NOT NULL AND ${target} <> 'null'::jsonb)`
        : sql`${target} IS NOT NULL`;
    bad(`'${op}' cannot compare with null`);
  }
  if (op === "~") {
    const pattern = `%${String(value).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return sql`${f.text} ILIKE ${pattern}`;
  }
  const cmp = COMPARISON[op];
  if (!cmp) bad(`unknown operator '${op}'`);
  if (typeof value === "boolean") {
    if (!f.json || (op !== "=" && op !== "!="))
      bad("true/false compare only with config values, using = or !=");
    const literal = value ? sql`'true'::jsonb` : sql`'false'::jsonb`;
    return op === "=" ? sql`${f.json} = ${literal}` : sql`${f.json} IS DISTINCT FROM ${literal}`;
  }
  if (field.scope === "keyValueTag" && typeof value !== "string")
    bad("tags.<key> values are text: quote them");
  if (typeof value === "number") {
    if (f.isTimestamp) return sql`${f.numeric} ${cmp} ${value}`;
    if (field.scope === "run") bad(`${field.key} is text: quote the value`);
    if (op === "!=") return sql`${f.numeric} IS DISTINCT FROM ${value}::float8`;
    return sql`${f.numeric} ${cmp} ${value}::float8`;
  }
  if (f.isTimestamp) {
    // The parser took only ISO-8601 text; Postgres gets the instant, never text to parse its own way.
    const seconds = isoDateToEpochSeconds(value);
    if (seconds === null) bad(`createdAt: '${value}' is not ${ISO_DATE_HELP}`);
    return sql`${runs.createdAt} ${cmp} to_timestamp(${seconds}::float8)`;
  }
  if (field.scope === "summary") bad(`summary values are numbers; '${value}' is not`);
  if (op === "!=") return sql`${f.text} IS DISTINCT FROM ${value}`;
  return sql`${f.text} ${cmp} ${value}`;
}

/** The operands of a chain of one operator (`a and b and c`), in order, without recursion. */
function chainOf(expr: FilterExpr, type: "and" | "or"): FilterExpr[] {
  const operands: FilterExpr[] = [];
  const pending: FilterExpr[] = [expr];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (next.type === type) pending.push(next.right, next.left);
    else operands.push(next);
  }
  return operands;
}

/** Turns a parsed filter into a WHERE clause over `runs`. */
export function filterToSql(expr: FilterExpr): SQL {
  switch (expr.type) {
    case "and":
    case "or": {
      // `a and b and c` is one flat list in SQL, not a nest of parentheses as deep as the chain.
      const parts = chainOf(expr, expr.type).map(filterToSql);
      return sql`(${sql.join(parts, expr.type === "and" ? sql` AND ` : sql` OR `)})`;
    }
    case "not":
      return sql`(NOT COALESCE(${filterToSql(expr.expr)}, false))`;
    case "compare":
      return compareSql(expr.field, expr.op, expr.value);
    case "in": {
      if (expr.values.length === 0) return sql`false`;
      const parts = expr.values.map((v) => compareSql(expr.field, "=", v));
      return sql`(${sql.join(parts, sql` OR `)})`;
    }
    case "has": {
      if (expr.field.scope === "run" && expr.field.key === "tags")
        return sql`${expr.value} = ANY(${runs.tags})`;
      if (expr.field.scope === "config") {
        return sql`(jsonb_typeof(${runs.config} -> ${expr.field.key}) = 'array' AND ${runs.config} -> ${expr.field.key} @> ${JSON.stringify([expr.value])}::jsonb)`;
      }
      bad("`has` applies to tags or config lists");
    }
  }
}
