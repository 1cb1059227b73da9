/** Tokens of the run filter language; `pos` is the 0-based offset of the token in the source. */
export type FilterToken =
  | { kind: "lparen" | "rparen" | "comma" | "eof"; text: string; pos: number }
  | { kind: "op"; text: "=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "~"; pos: number }
  | { kind: "string"; text: string; value: string; pos: number }
  | { kind: "word"; text: string; pos: number };

export class FilterSyntaxError extends Error {
  /** 0-based offset in the filter text where the problem was found. */
  readonly position: number;

  constructor(message: string, position: number) {
    super(message);
    this.name = "FilterSyntaxError";
    this.position = position;
  }
}

/** Human column (1-based) for an error message. */
export function column(pos: number): string {
  return `column ${pos + 1}`;
}

const SPECIAL = new Set(["(", ")", ",", "=", "!", "<", ">", "~", "'", '"']);
const QUOTES = new Set(["'", '"']);
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r" };

function isSpace(ch: string): boolean {
  return /\s/.test(ch);
}

/** Characters a bareword (field path or value) may contain. */
export function isWordChar(ch: string): boolean {
  return !SPECIAL.has(ch) && !isSpace(ch);
}

/** Reads a quoted string starting at `start` (the opening quote); backslash escapes the next char. */
export function readQuoted(source: string, start: number): { value: string; end: number } {
  const quote = source.charAt(start);
  let value = "";
  let i = start + 1;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (ch === quote) return { value, end: i + 1 };
    if (ch === "\\" && i + 1 < source.length) {
      const next = source.charAt(i + 1);
      value += ESCAPES[next] ?? next;
      i += 2;
      continue;
    }
    value += ch;
    i += 1;
  }
  throw new FilterSyntaxError(`unterminated string starting at ${column(start)}`, start);
}

/** Quotes a string so that `readQuoted` gives it back. */
export function quote(value: string): string {
  return `"${value
    .replace(/[\\"]/g, (ch) => `\\${ch}`)
    .replace(/\n/g, "\\n")
    .replace(/\t/g, "\\t")
    .replace(/\r/g, "\\r")}"`;
}

function readWord(source: string, start: number): number {
  let i = start;
  while (i < source.length) {
    const ch = source.charAt(i);
    // A quoted segment right after a dot belongs to the word: config."my key".
    if (QUOTES.has(ch) && i > start && source.charAt(i - 1) === ".") {
      i = readQuoted(source, i).end;
      continue;
    }
    if (!isWordChar(ch)) break;
    i += 1;
  }
  return i;
}

export function tokenizeFilter(source: string): FilterToken[] {
  const tokens: FilterToken[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source.charAt(i);
    const next = source.charAt(i + 1);
    if (isSpace(ch)) {
      i += 1;
    } else if (ch === "(" || ch === ")" || ch === ",") {
      const kind = ch === "(" ? "lparen" : ch === ")" ? "rparen" : "comma";
      tokens.push({ kind, text: ch, pos: i });
      i += 1;
    } else if (QUOTES.has(ch)) {
      const { value, end } = readQuoted(source, i);
      tokens.push({ kind: "string", text: source.slice(i, end), value, pos: i });
      i = end;
    } else if (ch === "!") {
      if (next !== "=") throw new FilterSyntaxError(`expected '=' after '!' at ${column(i + 1)}`, i + 1);
      tokens.push({ kind: "op", text: "!=", pos: i });
      i += 2;
    } else if (ch === "=" || ch === "<" || ch === ">") {
      const text = next === "=" ? (`${ch}=` as "==" | "<=" | ">=") : (ch as "=" | "<" | ">");
      tokens.push({ kind: "op", text, pos: i });
      i += text.length;
    } else if (ch === "~") {
      tokens.push({ kind: "op", text: "~", pos: i });
      i += 1;
    } else {
      const end = readWord(source, i);
      tokens.push({ kind: "word", text: source.slice(i, end), pos: i });
      i = end;
    }
  }
  tokens.push({ kind: "eof", text: "", pos: source.length });
  return tokens;
}

export function describeToken(token: FilterToken): string {
  return token.kind === "eof" ? "the end of the filter" : `'${token.text}'`;
}
