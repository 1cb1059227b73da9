import type { JsonValue } from "@labtrack/schemas";

/**
 * `${root.field.sub}` placeholders in the strings of a JSON template (the AMQP bridge's run and
 * result templates). A string that is one placeholder and nothing else takes the value's own type
 * (a number stays a number, a list a list); inside longer text the value is written out (strings
 * as they are, anything else as JSON). `$${` writes a literal `${`.
 */

export class TemplateError extends Error {
  override name = "TemplateError";
}

type Part = { literal: string } | { expression: string };

const PLACEHOLDER = /\$\$\{|\$\{([^{}]*)\}/g;

/** Splits a template string into literal text and placeholder expressions. */
export function parseTemplateString(text: string): Part[] {
  const parts: Part[] = [];
  let literal = "";
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    literal += text.slice(last, match.index);
    last = match.index + match[0].length;
    if (match[0] === "$${") {
      literal += "${";
      continue;
    }
    if (literal !== "") parts.push({ literal });
    literal = "";
    parts.push({ expression: (match[1] ?? "").trim() });
  }
  literal += text.slice(last);
  if (literal !== "") parts.push({ literal });
  return parts;
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Follows `segments` into `value`. A key may itself hold dots (`summary."val.acc"` is written
 * `val.acc`): at each level the longest run of segments that names a key wins.
 */
function lookUp(value: JsonValue, segments: readonly string[], from = 0): JsonValue | undefined {
  if (from === segments.length) return value;
  if (Array.isArray(value)) {
    const segment = segments[from] ?? "";
    if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined;
    const item = value[Number(segment)];
    return item === undefined ? undefined : lookUp(item, segments, from + 1);
  }
  if (!isObject(value)) return undefined;
  for (let to = segments.length; to > from; to -= 1) {
    const key = segments.slice(from, to).join(".");
    if (Object.hasOwn(value, key)) {
      const found = lookUp(value[key] as JsonValue, segments, to);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export interface RenderOptions {
  /** `error`: a placeholder naming nothing fails the render; `null`: it becomes null (or "" in text). */
  missing: "error" | "null";
}

/** The placeholder expressions of a template, with where each one sits (`spec.data.path`). */
export function templateExpressions(template: JsonValue, at = ""): { at: string; expression: string }[] {
  if (typeof template === "string") {
    return parseTemplateString(template).flatMap((part) =>
      "expression" in part ? [{ at, expression: part.expression }] : [],
    );
  }
  if (Array.isArray(template)) return template.flatMap((item, i) => templateExpressions(item, join(at, i)));
  if (isObject(template)) {
    return Object.entries(template).flatMap(([key, item]) => templateExpressions(item, join(at, key)));
  }
  return [];
}

function join(at: string, key: string | number): string {
  return at === "" ? String(key) : `${at}.${key}`;
}

/** Checks that every placeholder names one of `roots` (`message.batchId` with roots [message]). */
export function checkTemplateRoots(template: JsonValue, roots: readonly string[]): void {
  for (const { at, expression } of templateExpressions(template)) {
    const root = expression.split(".")[0] ?? "";
    if (expression === "" || !roots.includes(root)) {
      throw new TemplateError(
        `${at || "(template)"}: \${${expression}} must start with ${roots.map((r) => `${r}.`).join(" or ")}`,
      );
    }
  }
}

/** The value `root.field.sub` names in `context`, or undefined when it names nothing. */
export function valueAt(context: Record<string, JsonValue>, expression: string): JsonValue | undefined {
  const [root = "", ...segments] = expression.split(".");
  const base = Object.hasOwn(context, root) ? context[root] : undefined;
  return base === undefined ? undefined : lookUp(base, segments);
}

function resolve(expression: string, context: Record<string, JsonValue>, at: string, options: RenderOptions) {
  const value = valueAt(context, expression);
  if (value !== undefined) return value;
  if (options.missing === "null") return null;
  const [root, ...segments] = expression.split(".");
  const field = segments.length ? segments.join(".") : "(itself)";
  throw new TemplateError(`${at || "(template)"}: \${${expression}}: ${root} has no field ${field}`);
}

function renderString(text: string, context: Record<string, JsonValue>, at: string, options: RenderOptions) {
  const parts = parseTemplateString(text);
  const [only] = parts;
  if (parts.length === 1 && only && "expression" in only)
    return resolve(only.expression, context, at, options);
  return parts
    .map((part) => {
      if ("literal" in part) return part.literal;
      const value = resolve(part.expression, context, at, options);
      if (typeof value === "string") return value;
      return value === null && options.missing === "null" ? "" : JSON.stringify(value);
    })
    .join("");
}

/** Fills every placeholder of `template` from `context` (`{ message: {...} }`). */
export function renderTemplate(
  template: JsonValue,
  context: Record<string, JsonValue>,
  options: RenderOptions,
  at = "",
): JsonValue {
  if (typeof template === "string") return renderString(template, context, at, options);
  if (Array.isArray(template))
    return template.map((item, i) => renderTemplate(item, context, options, join(at, i)));
  if (isObject(template)) {
    // fromEntries keeps a "__proto__" key as a key, where assignment would replace the prototype.
    return Object.fromEntries(
      Object.entries(template).map(([key, item]) => [
        key,
        renderTemplate(item, context, options, join(at, key)),
      ]),
    );
  }
  return template;
}
