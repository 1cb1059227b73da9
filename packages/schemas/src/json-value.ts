import { z } from "zod";
import { pgTextProblem } from "./pg-text.ts";

/** A JSON value, as stored in a run's config, results or spec. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * How deeply a stored JSON value may nest. Real configs nest a few levels; the bound keeps
 * validation, flattening and Postgres' own JSON parser (a small stack on PGlite) safe.
 */
export const MAX_JSON_DEPTH = 32;

type Issue = { path: PropertyKey[]; message: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Problems that keep `value` from being stored as JSON: non-JSON types, non-finite numbers,
 * NUL or lone surrogates in strings and keys, nesting deeper than MAX_JSON_DEPTH. Walks with its
 * own stack, so no input can overflow the call stack; stops after `limit` issues.
 */
export function jsonValueIssues(value: unknown, limit = 10): Issue[] {
  const issues: Issue[] = [];
  const stack: { value: unknown; path: PropertyKey[]; depth: number }[] = [{ value, path: [], depth: 1 }];
  while (stack.length > 0 && issues.length < limit) {
    const item = stack.pop()!;
    const v = item.value;
    if (v === null || typeof v === "boolean") continue;
    if (typeof v === "string") {
      const problem = pgTextProblem(v);
      if (problem) issues.push({ path: item.path, message: problem });
      continue;
    }
    if (typeof v === "number") {
      if (!Number.isFinite(v)) issues.push({ path: item.path, message: "must be a finite number" });
      continue;
    }
    const isArray = Array.isArray(v);
    if (!isArray && !isPlainObject(v)) {
      issues.push({
        path: item.path,
        message: "must be a JSON value (string, number, boolean, null, array or object)",
      });
      continue;
    }
    if (item.depth > MAX_JSON_DEPTH) {
      issues.push({ path: item.path, message: `nests deeper than ${MAX_JSON_DEPTH} levels` });
      continue;
    }
    const entries: [PropertyKey, unknown][] = isArray ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const path = [...item.path, key];
      if (typeof key === "string") {
        const problem = pgTextProblem(key);
        if (problem) {
          issues.push({ path, message: `key ${problem}` });
          continue;
        }
      }
      stack.push({ value: child, path, depth: item.depth + 1 });
    }
  }
  return issues;
}

function checked<T>(isShape: (value: unknown) => boolean, shapeMessage: string) {
  return z.custom<T>().superRefine((value, ctx) => {
    if (!isShape(value)) {
      ctx.addIssue({ code: "custom", message: shapeMessage });
      return;
    }
    for (const issue of jsonValueIssues(value)) ctx.addIssue({ code: "custom", ...issue });
  });
}

/** Any JSON value Postgres can store (see jsonValueIssues). */
export const jsonValue: z.ZodType<JsonValue> = checked<JsonValue>(
  (v) => v !== undefined,
  "must be a JSON value",
);

/** A JSON object Postgres can store: config, results, spec changes. */
export const jsonObject: z.ZodType<Record<string, JsonValue>> = checked<Record<string, JsonValue>>(
  isPlainObject,
  "must be an object",
);
