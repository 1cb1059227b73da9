import { type JsonValue, queueEnqueueInput } from "@labtrack/schemas";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

/** The new-experiment document: `queue.enqueue`'s input as the form and the YAML editor edit it. */
export type SpecDocument = Record<string, JsonValue>;
export type PathKey = string | number;

/** A copy of `doc` with the value at `path` replaced (or removed when `value` is undefined). */
export function setIn(doc: JsonValue, path: readonly PathKey[], value: JsonValue | undefined): JsonValue {
  const [head, ...rest] = path;
  if (head === undefined) return value ?? null;
  if (typeof head === "number") {
    const list = Array.isArray(doc) ? [...doc] : [];
    if (rest.length === 0 && value === undefined) list.splice(head, 1);
    else list[head] = setIn(list[head] ?? null, rest, value);
    return list;
  }
  const object = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? { ...doc } : {};
  if (rest.length === 0 && value === undefined) delete object[head];
  else object[head] = setIn(object[head] ?? null, rest, value);
  return object;
}

export function getIn(doc: JsonValue | undefined, path: readonly PathKey[]): JsonValue | undefined {
  let current: JsonValue | undefined = doc;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = Array.isArray(current) ? current[key as number] : (current as Record<string, JsonValue>)[key];
  }
  return current;
}

export interface DocumentProblem {
  path: string;
  message: string;
}

/** Checks the document with the same schema the server uses; problems keyed by dotted path. */
export function validateDocument(doc: SpecDocument): DocumentProblem[] {
  const result = queueEnqueueInput.safeParse(doc);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

export type ParsedText =
  | { ok: true; doc: SpecDocument }
  | { ok: false; message: string; line: number | null };

/** YAML (JSON is YAML too) to a document, or the parser's message with its line. */
export function parseDocumentText(text: string): ParsedText {
  try {
    const value = parseYaml(text) as unknown;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return { ok: false, message: "the document must be a mapping (key: value lines)", line: 1 };
    }
    return { ok: true, doc: value as SpecDocument };
  } catch (error) {
    const linePos = (error as { linePos?: { line: number }[] }).linePos;
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
    return { ok: false, message, line: linePos?.[0]?.line ?? null };
  }
}

export function formatDocument(doc: SpecDocument, format: "yaml" | "json"): string {
  return format === "json" ? `${JSON.stringify(doc, null, 2)}\n` : stringifyYaml(doc, { lineWidth: 0 });
}
