/**
 * Tokens of MLflow's search filter language. MLflow tokenizes filters with sqlparse; this lexer
 * reproduces the part of sqlparse's grammar that MLflow's search accepts, keeping each token's raw
 * text because MLflow works on raw text (it strips quotes but never unescapes a value).
 */
export type MlflowTokenKind =
  | "identifier" // `metrics.acc`, `params."a b"`, `` `tags`.x ``, a bare `run_name` or `"x"`
  | "string" // a single-quoted literal, quotes included
  | "number"
  | "comparator" // `=`, `!=`, `<=`, ..., `LIKE`, `ILIKE`, `NOT LIKE` (MLflow validates the set later)
  | "keyword" // AND, OR, NOT, IN, IS, NULL, ... (text upper-cased)
  | "lparen"
  | "rparen"
  | "comma"
  | "semicolon"
  | "other" // anything else, e.g. an unmatched quote: always an invalid clause
  | "eof";

export interface MlflowToken {
  kind: MlflowTokenKind;
  text: string;
  /** 0-based offsets of the token in the source, end exclusive. */
  pos: number;
  end: number;
}

const KEYWORDS = new Set([
  "AND",
  "OR",
  "NOT",
  "IN",
  "IS",
  "NULL",
  "TRUE",
  "FALSE",
  "BETWEEN",
  "EXISTS",
  "ANY",
  "ALL",
  "SOME",
  "ASC",
  "DESC",
]);

const WHITESPACE = /\s+/uy;
const SINGLE_QUOTED = /'(?:''|\\'|[^'])*'/uy;
const DOUBLE_QUOTED = /"(?:""|\\"|[^"])*"/uy;
const BACKQUOTED = /`(?:``|[^`])*`/uy;
const NUMBER = /-?(?:\d+(?:\.\d+)?E[-+]?\d+|\d+\.\d*|\.\d+|\d+)(?![\p{L}\p{N}_$#])/iuy;
const LIKE = /(?:NOT\s+)?(?:LIKE|ILIKE|RLIKE)(?![\p{L}\p{N}_$#])/iuy;
const COMPARATOR = /[<>=~!]+/uy;
const WORD = /[\p{L}\p{N}_][\p{L}\p{N}_$#]*/uy;

function matchAt(pattern: RegExp, source: string, pos: number): string | null {
  pattern.lastIndex = pos;
  const match = pattern.exec(source);
  return match ? match[0] : null;
}

/** One part of a dotted identifier: a word, a double-quoted or a backquoted name. */
function namePartAt(source: string, pos: number): string | null {
  return (
    matchAt(WORD, source, pos) ?? matchAt(DOUBLE_QUOTED, source, pos) ?? matchAt(BACKQUOTED, source, pos)
  );
}

/** Reads `part(.part)*` starting at `pos`; a keyword alone (not followed by a dot) is not a name. */
function identifierAt(source: string, pos: number): MlflowToken | null {
  const first = namePartAt(source, pos);
  if (first === null) return null;
  let end = pos + first.length;
  while (source.charAt(end) === ".") {
    const part = namePartAt(source, end + 1);
    if (part === null) break;
    end += 1 + part.length;
  }
  const text = source.slice(pos, end);
  if (text === first && KEYWORDS.has(first.toUpperCase())) {
    return { kind: "keyword", text: first.toUpperCase(), pos, end };
  }
  return { kind: "identifier", text, pos, end };
}

const PUNCTUATION: Record<string, MlflowTokenKind> = {
  "(": "lparen",
  ")": "rparen",
  ",": "comma",
  ";": "semicolon",
};

function tokenAt(source: string, pos: number): MlflowToken {
  const single = matchAt(SINGLE_QUOTED, source, pos);
  if (single !== null) return { kind: "string", text: single, pos, end: pos + single.length };
  const number = matchAt(NUMBER, source, pos);
  if (number !== null) return { kind: "number", text: number, pos, end: pos + number.length };
  const like = matchAt(LIKE, source, pos);
  if (like !== null) return { kind: "comparator", text: like, pos, end: pos + like.length };
  const identifier = identifierAt(source, pos);
  if (identifier !== null) return identifier;
  const comparator = matchAt(COMPARATOR, source, pos);
  if (comparator !== null) return { kind: "comparator", text: comparator, pos, end: pos + comparator.length };
  const ch = String.fromCodePoint(source.codePointAt(pos) ?? 0);
  return { kind: PUNCTUATION[ch] ?? "other", text: ch, pos, end: pos + ch.length };
}

/** Splits a filter into tokens, whitespace dropped, ending with an `eof` token. */
export function lexMlflowFilter(source: string): MlflowToken[] {
  const tokens: MlflowToken[] = [];
  let pos = 0;
  while (pos < source.length) {
    const space = matchAt(WHITESPACE, source, pos);
    if (space !== null) {
      pos += space.length;
      continue;
    }
    const token = tokenAt(source, pos);
    tokens.push(token);
    pos = token.end;
  }
  tokens.push({ kind: "eof", text: "", pos: source.length, end: source.length });
  return tokens;
}

/** `comparator` text as MLflow compares it: upper case, inner whitespace collapsed (`NOT LIKE`). */
export function normalizeComparator(text: string): string {
  return text.toUpperCase().replace(/\s+/gu, " ");
}
