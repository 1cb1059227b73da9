import type { JsonValue } from "@labtrack/schemas";

function isPlainObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Flattens nested plain objects into dotted keys (`{optimizer:{lr:1}}` -> `{"optimizer.lr":1}`),
 * so hyperparameters can be shown as columns and compared key by key. Arrays and scalars are
 * values; an empty object stays as an `{}` value so it is not silently dropped.
 */
export function flattenConfig(config: Record<string, JsonValue>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  const visit = (prefix: string, value: JsonValue): void => {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) visit(`${prefix}.${key}`, child);
      return;
    }
    // defineProperty, not `out[prefix] =`: a config key "__proto__" (JSON.parse makes it an own key)
    // must stay a key instead of replacing the object's prototype.
    Object.defineProperty(out, prefix, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const [key, value] of Object.entries(config)) visit(key, value);
  return out;
}

/** Structural equality for JSON values; object key order does not matter. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keysA = Object.keys(a);
    if (keysA.length !== Object.keys(b).length) return false;
    return keysA.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

/**
 * The (flattened) config keys whose values differ between the given configs, sorted. A key
 * present in one config and missing in another counts as different.
 */
export function diffConfigKeys(configs: Record<string, JsonValue>[]): string[] {
  const flat = configs.map(flattenConfig);
  const keys = new Set<string>();
  for (const config of flat) for (const key of Object.keys(config)) keys.add(key);
  const differing: string[] = [];
  for (const key of keys) {
    const first = flat[0];
    if (first === undefined) break;
    const present = Object.hasOwn(first, key);
    const reference = first[key];
    const same = flat.every((config) =>
      Object.hasOwn(config, key) ? present && jsonEqual(config[key], reference) : !present,
    );
    if (!same) differing.push(key);
  }
  return differing.sort();
}
