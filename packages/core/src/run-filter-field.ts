import { column, FilterSyntaxError, isWordChar, quote, readQuoted } from "./run-filter-lexer.ts";

export const RUN_FILTER_FIELDS = ["name", "status", "group", "runner", "createdAt", "tags"] as const;
export type RunFilterFieldKey = (typeof RUN_FILTER_FIELDS)[number];
export const SUMMARY_STATS = ["last", "min", "max"] as const;
export type SummaryStat = (typeof SUMMARY_STATS)[number];

export type FilterField =
  | { scope: "config"; key: string }
  | { scope: "summary"; key: string; stat: SummaryStat }
  /** A key/value tag (`tags.<key>`), compared as text; bare `tags` is the label tags. */
  | { scope: "keyValueTag"; key: string }
  | { scope: "run"; key: RunFilterFieldKey };

export const FIELD_HELP =
  "config.<key>, summary.<metric>[.last|.min|.max], tags.<key>, name, status, group, runner, createdAt or tags";

/** Run fields by lower-case spelling; `tag` is accepted for `tags` (`tag = x`). */
const RUN_FIELD_ALIASES = new Map<string, RunFilterFieldKey>([
  ...RUN_FILTER_FIELDS.map((key): [string, RunFilterFieldKey] => [key.toLowerCase(), key]),
  ["tag", "tags"],
]);

function isSummaryStat(text: string): text is SummaryStat {
  return (SUMMARY_STATS as readonly string[]).includes(text);
}

type Segment = { text: string; quoted: boolean };

/** Splits `a.b."c d".e` into segments; quoted segments keep their dots. */
function splitSegments(raw: string, offset: number): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  let bare = "";
  while (i < raw.length) {
    const ch = raw.charAt(i);
    if ((ch === '"' || ch === "'") && bare === "") {
      const { value, end } = readQuoted(raw, i);
      segments.push({ text: value, quoted: true });
      if (end < raw.length && raw.charAt(end) !== ".") {
        const pos = offset + end;
        throw new FilterSyntaxError(`expected '.' after a quoted key at ${column(pos)}`, pos);
      }
      i = end + 1;
      if (end === raw.length) return segments;
      continue;
    }
    if (ch === ".") {
      segments.push({ text: bare, quoted: false });
      bare = "";
    } else {
      bare += ch;
    }
    i += 1;
  }
  segments.push({ text: bare, quoted: false });
  return segments;
}

/**
 * Parses a field path such as `config.optimizer.lr`, `config."my key"`, `summary.val/accuracy.max`
 * or `createdAt`. `offset` is where `text` starts in a larger filter, for error positions.
 */
export function parseFieldAt(text: string, offset: number): FilterField {
  const dot = text.indexOf(".");
  const head = dot === -1 ? text : text.slice(0, dot);
  const scope = head.toLowerCase();
  if (scope === "config" || scope === "summary" || (scope === "tags" && dot !== -1)) {
    const rest = dot === -1 ? "" : text.slice(dot + 1);
    const restPos = offset + head.length + 1;
    if (rest === "") {
      const pos = dot === -1 ? offset + head.length : restPos;
      throw new FilterSyntaxError(`expected a key after '${head}.' at ${column(pos)}`, pos);
    }
    const segments = splitSegments(rest, restPos);
    const last = segments.at(-1);
    let stat: SummaryStat = "last";
    if (scope === "summary" && segments.length > 1 && last && !last.quoted && isSummaryStat(last.text)) {
      stat = last.text;
      segments.pop();
    }
    const key = segments.map((s) => s.text).join(".");
    if (key === "") throw new FilterSyntaxError(`expected a non-empty key at ${column(restPos)}`, restPos);
    if (scope === "tags") return { scope: "keyValueTag", key };
    return scope === "config" ? { scope, key } : { scope, key, stat };
  }
  const runKey = RUN_FIELD_ALIASES.get(text.toLowerCase());
  if (runKey) return { scope: "run", key: runKey };
  throw new FilterSyntaxError(`unknown field '${text}' at ${column(offset)}: expected ${FIELD_HELP}`, offset);
}

/** Parses a field path on its own, e.g. a sort field: `summary.val/accuracy.max`, `config.lr`, `createdAt`. */
export function parseFieldPath(text: string): FilterField {
  const start = text.length - text.trimStart().length;
  const trimmed = text.trim();
  if (trimmed === "") throw new FilterSyntaxError(`expected a field: ${FIELD_HELP}`, 0);
  return parseFieldAt(trimmed, start);
}

function formatKey(key: string): string {
  const bare = key !== "" && [...key].every(isWordChar);
  return bare ? key : quote(key);
}

/** The canonical text of a field; `parseFieldPath(formatFieldPath(f))` gives `f` back. */
export function formatFieldPath(field: FilterField): string {
  switch (field.scope) {
    case "config":
      return `config.${formatKey(field.key)}`;
    case "keyValueTag":
      return `tags.${formatKey(field.key)}`;
    case "summary":
      // The stat is always written, so a key ending in `.max` is not mistaken for a stat.
      return `summary.${formatKey(field.key)}.${field.stat}`;
    case "run":
      return field.key;
  }
}
