import { commandSpec, imageClassifierSpec, type JsonValue, type RunRequirements } from "@labtrack/schemas";
import { stringify as stringifyYaml } from "yaml";
import { z } from "zod";

/** The part of a JSON Schema that says in which order an object's keys are declared. */
interface KeyOrder {
  properties?: Record<string, KeyOrder>;
  items?: KeyOrder;
  anyOf?: KeyOrder[];
  oneOf?: KeyOrder[];
}

/** A command spec as the dashboard shows it; `null` fields were not given. */
export interface CommandView {
  line: string;
  argv: string[] | null;
  cwd: string | null;
  env: [string, string][];
  timeoutSeconds: number | null;
  watch: string[];
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argv word as a POSIX shell would need it typed (single quotes when it has to be). */
export function shellQuote(word: string): string {
  if (word !== "" && SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The spec's kind, when it is an object that names one. */
export function specKind(spec: JsonValue | null): string | null {
  return isObject(spec) && typeof spec.kind === "string" ? spec.kind : null;
}

/** A stored `command` spec for display; null for anything else. */
export function commandView(spec: JsonValue | null): CommandView | null {
  if (!isObject(spec) || spec.kind !== "command") return null;
  const command = spec.command;
  const argv = Array.isArray(command) ? command.map((w) => String(w)) : null;
  const line = argv ? argv.map(shellQuote).join(" ") : String(command ?? "");
  const env = isObject(spec.env)
    ? Object.entries(spec.env).map(([k, v]): [string, string] => [k, String(v)])
    : [];
  return {
    line,
    argv,
    cwd: typeof spec.cwd === "string" ? spec.cwd : null,
    env: env.sort(([a], [b]) => a.localeCompare(b)),
    timeoutSeconds: typeof spec.timeout_seconds === "number" ? spec.timeout_seconds : null,
    watch: Array.isArray(spec.watch) ? spec.watch.map((w) => String(w)) : [],
  };
}

let specKeyOrders: Record<string, KeyOrder> | null = null;
function keyOrderOf(kind: string | null): KeyOrder | undefined {
  specKeyOrders ??= {
    command: z.toJSONSchema(commandSpec, { io: "input", unrepresentable: "any" }) as KeyOrder,
    "image-classifier": z.toJSONSchema(imageClassifierSpec, {
      io: "input",
      unrepresentable: "any",
    }) as KeyOrder,
  };
  return kind === null ? undefined : specKeyOrders[kind];
}

/**
 * `value` with every object's keys in the order its schema declares them (Postgres' jsonb keeps
 * them by length): `kind` first, then data, model, phases… as the README's examples write them.
 * Keys the schema does not know keep their place after those it does.
 */
export function inDeclaredOrder(value: JsonValue, order: KeyOrder | undefined): JsonValue {
  if (order === undefined || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => inDeclaredOrder(item, order.items));
  const branches = order.anyOf ?? order.oneOf;
  const branch = branches
    ? branches.find((b) => b.properties && Object.keys(value).every((k) => k in (b.properties ?? {})))
    : order;
  const properties = branch?.properties ?? {};
  const keys = [
    ...Object.keys(properties).filter((k) => k in value),
    ...Object.keys(value).filter((k) => !(k in properties)),
  ];
  return Object.fromEntries(keys.map((k) => [k, inDeclaredOrder(value[k] ?? null, properties[k])]));
}

/** The spec as the YAML the Queue page's editor takes, keys in the schema's order. */
export function specYaml(spec: JsonValue | null): string {
  return stringifyYaml(inDeclaredOrder(spec, keyOrderOf(specKind(spec))), { lineWidth: 0 });
}

/** What a run needs of a runner slot, in words (`2 GPUs · ≥ 16 GiB each · backend tensorflow`). */
export function requirementsText(req: RunRequirements): string {
  const parts: string[] = [req.gpus === 0 ? "any slot" : `${req.gpus} GPU${req.gpus === 1 ? "" : "s"}`];
  if (req.minGpuMemoryMb !== undefined) {
    const gib = req.minGpuMemoryMb / 1024;
    parts.push(`≥ ${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB each`);
  }
  if (req.backend) parts.push(`backend ${req.backend}`);
  if (req.labels.length > 0) parts.push(`labels ${req.labels.join(", ")}`);
  return parts.join(" · ");
}

/** `1st`, `2nd`, `23rd`, `111th`. */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  const suffix = ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n.toLocaleString("en-US")}${suffix}`;
}
