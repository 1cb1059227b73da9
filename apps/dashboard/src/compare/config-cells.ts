import { jsonEqual } from "@labtrack/core";
import type { JsonValue } from "@labtrack/schemas";

/** An array or object value, which the diff opens into one key per leaf. */
function isContainer(value: JsonValue): value is JsonValue[] | { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && Object.keys(value).length > 0;
}

/**
 * A flattened config with arrays (and objects inside them) opened too: `phases: [{lr: 0.1}, {lr: 0.3}]`
 * becomes `phases[0].lr` and `phases[1].lr`, so the one learning rate that differs has a column of its own.
 */
export function expandConfig(flat: Record<string, JsonValue>): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  const visit = (key: string, value: JsonValue): void => {
    if (!isContainer(value)) {
      out.set(key, value);
      return;
    }
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) visit(`${key}[${i}]`, item);
    } else for (const [child, item] of Object.entries(value)) visit(`${key}.${child}`, item);
  };
  for (const [key, value] of Object.entries(flat)) visit(key, value);
  return out;
}

/** Every key of the runs' expanded configs, the differing ones first, each group in key order. */
export function diffColumns(configs: readonly Map<string, JsonValue>[]): {
  keys: string[];
  differing: Set<string>;
} {
  const all = new Set<string>();
  for (const config of configs) for (const key of config.keys()) all.add(key);
  const differing = new Set<string>();
  for (const key of all) {
    const first = configs[0];
    if (!first) break;
    const present = first.has(key);
    const same = configs.every((config) =>
      config.has(key) ? present && jsonEqual(config.get(key), first.get(key)) : !present,
    );
    if (!same) differing.add(key);
  }
  const keys = [...all].sort(
    (a, b) =>
      Number(differing.has(b)) - Number(differing.has(a)) || a.localeCompare(b, "en", { numeric: true }),
  );
  return { keys, differing };
}
