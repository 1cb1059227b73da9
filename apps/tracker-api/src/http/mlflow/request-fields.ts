import { invalidParameter } from "./mlflow-error.ts";
import { doubleFromWire, int64FromWire } from "./wire-numbers.ts";

/** A request's fields: the JSON body of a POST, or the query string of a GET (repeated keys are lists). */
export type RequestFields = Record<string, unknown>;

const DOCS_HINT = " See the API docs for more information about request parameters.";

function pythonType(value: unknown): string {
  if (value === null) return "NoneType";
  if (Array.isArray(value)) return "list";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "object") return "dict";
  return "str";
}

/** MLflow's own wording for a field of the wrong type. */
export function invalidField(name: string, value: unknown): Error {
  const shown = typeof value === "string" ? value : JSON.stringify(value);
  return invalidParameter(
    `Invalid value ${shown} for parameter '${name}' supplied. Hint: Value was of type '${pythonType(value)}'.${DOCS_HINT}`,
  );
}

export function missingField(name: string): Error {
  return invalidParameter(`Missing value for required parameter '${name}'.${DOCS_HINT}`);
}

/** A GET query string's single value arrives as a one-element list when the key repeats; take it. */
function single(fields: RequestFields, name: string): unknown {
  const value = fields[name];
  return Array.isArray(value) && value.length === 1 && typeof value[0] !== "object" ? value[0] : value;
}

export function optionalString(fields: RequestFields, name: string): string | undefined {
  const value = single(fields, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalidField(name, value);
  return value;
}

export function requiredString(fields: RequestFields, name: string): string {
  const value = optionalString(fields, name);
  if (value === undefined || value === "") throw missingField(name);
  return value;
}

export function optionalInt(fields: RequestFields, name: string): number | undefined {
  const value = single(fields, name);
  if (value === undefined || value === null) return undefined;
  const n = int64FromWire(value);
  if (n === null) throw invalidField(name, value);
  return n;
}

/** Milliseconds since 1970 that both a JS Date and Postgres hold and read back: years 1000 to 9999. */
const TIME_MS_RANGE = [-30_610_224_000_000, 253_402_300_799_999] as const; // 1000-01-01 to 9999-12-31

/** An int64 of milliseconds since 1970 (`start_time`, `end_time`) as a Date. */
export function optionalTime(fields: RequestFields, name: string): Date | undefined {
  const ms = optionalInt(fields, name);
  if (ms === undefined) return undefined;
  if (ms < TIME_MS_RANGE[0] || ms > TIME_MS_RANGE[1]) {
    throw invalidParameter(
      `Invalid value ${ms} for parameter '${name}' supplied: expected milliseconds since 1970 within the years 1000 to 9999.`,
    );
  }
  return new Date(ms);
}

export function optionalDouble(fields: RequestFields, name: string): number | undefined {
  const value = single(fields, name);
  if (value === undefined || value === null) return undefined;
  const n = doubleFromWire(value);
  if (n === null) throw invalidField(name, value);
  return n;
}

/** A repeated string field; a GET's single value counts as a list of one. */
export function stringList(fields: RequestFields, name: string): string[] {
  const value = fields[name];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) if (typeof item !== "string") throw invalidField(name, value);
  return list as string[];
}

/** A repeated message field: a list of objects. */
export function objectList(fields: RequestFields, name: string): RequestFields[] {
  const value = fields[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidField(name, value);
  for (const item of value) {
    if (item === null || typeof item !== "object" || Array.isArray(item)) throw invalidField(name, value);
  }
  return value as RequestFields[];
}

/** `{key, value}` messages (tags, params) as pairs; a key is required, a missing value is "". */
export function keyValueList(fields: RequestFields, name: string): { key: string; value: string }[] {
  return objectList(fields, name).map((item, i) => {
    const key = item.key;
    if (typeof key !== "string" || key === "") throw missingField(`${name}[${i}].key`);
    const value = item.value ?? "";
    if (typeof value !== "string") throw invalidField(`${name}[${i}].value`, value);
    return { key, value };
  });
}

/** Parses a query string as MLflow's server does: `a=1&a=2` and `a[]=1` are lists. */
export function fieldsFromQuery(params: URLSearchParams): RequestFields {
  const fields: RequestFields = {};
  for (const [rawKey, value] of params) {
    const bracket = /^(.*?)\[\d*\]$/.exec(rawKey);
    const key = bracket?.[1] ?? rawKey;
    const existing = fields[key];
    if (existing === undefined) fields[key] = bracket ? [value] : value;
    else fields[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return fields;
}
