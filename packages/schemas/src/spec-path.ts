import type { z } from "zod";
import type { JsonValue } from "./common.ts";

/** `phases.1.learning_rate` -> ["phases", "1", "learning_rate"]. */
export const dottedSegments = (key: string): string[] => key.split(".");

type Schema = z.core.$ZodType;

function unwrap(schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 16; i++) {
    const def = s._zod.def as { type: string; innerType?: Schema; in?: Schema };
    if (
      def.innerType &&
      ["optional", "default", "prefault", "nullable", "readonly", "catch"].includes(def.type)
    ) {
      s = def.innerType;
    } else if (def.type === "pipe" && def.in) {
      s = def.in;
    } else {
      return s;
    }
  }
  return s;
}

/**
 * Whether `segments` name a field of `schema` (objects by key, arrays by index, unions when any
 * member has it); an array index must also fall inside the array `value` holds there, if it holds one.
 */
export function schemaHasPath(schema: Schema, segments: string[], value: unknown): boolean {
  if (segments.length === 0) return true;
  const [head, ...rest] = segments as [string, ...string[]];
  const s = unwrap(schema);
  const def = s._zod.def as {
    type: string;
    shape?: Record<string, Schema>;
    element?: Schema;
    options?: Schema[];
    valueType?: Schema;
  };
  const child = (v: unknown, k: string): unknown =>
    typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  switch (def.type) {
    case "object":
      return def.shape !== undefined && Object.hasOwn(def.shape, head)
        ? schemaHasPath(def.shape[head] as Schema, rest, child(value, head))
        : false;
    case "array": {
      if (!/^(0|[1-9][0-9]{0,5})$/.test(head) || def.element === undefined) return false;
      if (Array.isArray(value) && Number(head) >= value.length) return false;
      return schemaHasPath(def.element, rest, child(value, head));
    }
    case "record":
      return def.valueType !== undefined && schemaHasPath(def.valueType, rest, child(value, head));
    case "union":
      return (def.options ?? []).some((o) => schemaHasPath(o, segments, value));
    default:
      return false;
  }
}

/** A copy of `target` with `value` set at the dotted `key` (objects and arrays on the way are copied). */
export function withDottedKey(target: JsonValue, key: string, value: JsonValue): JsonValue {
  const [head, ...rest] = dottedSegments(key) as [string, ...string[]];
  const inner = (v: JsonValue | undefined): JsonValue =>
    rest.length === 0 ? value : withDottedKey(v ?? {}, rest.join("."), value);
  if (Array.isArray(target)) {
    const copy = [...target];
    copy[Number(head)] = inner(target[Number(head)]);
    return copy;
  }
  const obj = typeof target === "object" && target !== null ? target : {};
  return { ...obj, [head]: inner(obj[head]) };
}

export const PLACEHOLDER = /\$\{([A-Za-z0-9_.-]+)\}/g;

/** The `${name}` placeholders a string uses. */
export function placeholderNames(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}
