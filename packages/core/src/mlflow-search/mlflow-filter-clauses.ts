import { MlflowFilterError } from "./mlflow-filter-error.ts";
import { lexMlflowFilter, type MlflowToken, normalizeComparator } from "./mlflow-filter-lexer.ts";
import { decodePythonSingleQuoted } from "./python-string-literal.ts";

/** The right-hand side of a comparison, before the entity type says what it must be. */
export type RawOperand =
  | { kind: "token"; token: MlflowToken }
  | { kind: "list"; text: string; items: MlflowToken[] }
  | { kind: "none" };

/** `left comparator right` as sqlparse groups it, not yet checked against MLflow's rules. */
export interface RawComparison {
  left: MlflowToken;
  /** Upper-cased: `=`, `LIKE`, `IN`, `NOT IN`, `IS NULL`, ... */
  comparator: string;
  right: RawOperand;
}

const OPERAND_KINDS = new Set(["identifier", "string", "number"]);

function isOperand(token: MlflowToken | undefined): boolean {
  return token !== undefined && OPERAND_KINDS.has(token.kind);
}

function isKeyword(token: MlflowToken | undefined, word: string): boolean {
  return token?.kind === "keyword" && token.text === word;
}

/** Index just past the `)` matching the `(` at `start`, or -1 when it is never closed. */
function groupEnd(tokens: readonly MlflowToken[], start: number): number {
  let depth = 0;
  for (let i = start; i < tokens.length; i += 1) {
    const kind = tokens[i]?.kind;
    if (kind === "lparen") depth += 1;
    if (kind === "rparen") depth -= 1;
    if (depth === 0) return i + 1;
  }
  return -1;
}

function listOperand(source: string, tokens: readonly MlflowToken[], start: number, end: number): RawOperand {
  const open = tokens[start]!;
  const close = tokens[end - 1]!;
  return { kind: "list", text: source.slice(open.pos, close.end), items: tokens.slice(start + 1, end - 1) };
}

type Attempt = { comparison: RawComparison; next: number } | null;

function comparisonAt(source: string, tokens: readonly MlflowToken[], i: number): Attempt {
  const left = tokens[i];
  if (left === undefined || !isOperand(left)) return null;
  const op = tokens[i + 1];
  const third = tokens[i + 2];
  if (op?.kind === "comparator") {
    const comparator = normalizeComparator(op.text);
    if (third !== undefined && isOperand(third)) {
      return { comparison: { left, comparator, right: { kind: "token", token: third } }, next: i + 3 };
    }
    if (third?.kind !== "lparen") return null;
    const end = groupEnd(tokens, i + 2);
    if (end < 0) return null;
    return { comparison: { left, comparator, right: listOperand(source, tokens, i + 2, end) }, next: end };
  }
  if (left.kind !== "identifier") return null;
  const notIn = isKeyword(op, "NOT") && isKeyword(third, "IN");
  if ((isKeyword(op, "IN") && third?.kind === "lparen") || (notIn && tokens[i + 3]?.kind === "lparen")) {
    const start = notIn ? i + 3 : i + 2;
    const end = groupEnd(tokens, start);
    if (end < 0) return null;
    const comparator = notIn ? "NOT IN" : "IN";
    return { comparison: { left, comparator, right: listOperand(source, tokens, start, end) }, next: end };
  }
  if (isKeyword(op, "IS") && isKeyword(third, "NULL")) {
    return { comparison: { left, comparator: "IS NULL", right: { kind: "none" } }, next: i + 3 };
  }
  if (isKeyword(op, "IS") && isKeyword(third, "NOT") && isKeyword(tokens[i + 3], "NULL")) {
    return { comparison: { left, comparator: "IS NOT NULL", right: { kind: "none" } }, next: i + 4 };
  }
  return null;
}

export interface SplitOptions {
  /** MLflow quotes each invalid clause for runs (`'OR'`) but not for experiments (`OR`). */
  quoteInvalidClauses: boolean;
}

/**
 * Splits a filter into its AND-ed comparisons, as MLflow's `parse_search_filter` does: `AND` tokens
 * are skipped wherever they are (MLflow accepts `a = 1 AND` and `AND a = 1`), anything that is not
 * part of a comparison is an invalid clause, and a `;` with text after it is a second statement.
 */
export function splitMlflowComparisons(source: string, options: SplitOptions): RawComparison[] {
  if (source.length === 0) return [];
  const tokens = lexMlflowFilter(source);
  const semicolon = tokens.findIndex((token) => token.kind === "semicolon");
  if (semicolon >= 0 && tokens[semicolon + 1]?.kind !== "eof") {
    throw new MlflowFilterError(
      `Search filter contained multiple expression '${source}'. Provide AND-ed expression list.`,
    );
  }
  const comparisons: RawComparison[] = [];
  const invalid: string[] = [];
  let i = 0;
  while (tokens[i] !== undefined && tokens[i]?.kind !== "eof") {
    const token = tokens[i]!;
    if (isKeyword(token, "AND")) {
      i += 1;
      continue;
    }
    const attempt = comparisonAt(source, tokens, i);
    if (attempt) {
      comparisons.push(attempt.comparison);
      i = attempt.next;
      continue;
    }
    const end = token.kind === "lparen" ? groupEnd(tokens, i) : -1;
    const last = end > 0 ? tokens[end - 1]! : token;
    invalid.push(source.slice(token.pos, last.end));
    i = end > 0 ? end : i + 1;
  }
  if (invalid.length > 0) {
    const listed = invalid.map((text) => (options.quoteInvalidClauses ? `'${text}'` : text)).join(", ");
    throw new MlflowFilterError(`Invalid clause(s) in filter string: ${listed}`);
  }
  return comparisons;
}

/**
 * The strings of an `IN (...)` list, checked and decoded as MLflow's `_parse_run_ids` does. MLflow
 * then keeps only the values that are lower case (`str.islower()`), because run ids are: a value
 * with an upper-case letter, or with no letter at all, can never match.
 */
export function parseMlflowStringList(list: { text: string; items: readonly MlflowToken[] }): string[] {
  const { items } = list;
  if (items.length === 0) {
    throw new MlflowFilterError(
      "While parsing a list in the query, expected a non-empty list of string values, but got empty list",
    );
  }
  const illFormed = new MlflowFilterError(
    "While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.",
  );
  const commas = items.filter((token) => token.kind === "comma").length;
  if (commas === 0 && (items.length !== 1 || items[0]?.kind !== "string")) throw illFormed;
  if (items.some((token) => token.kind !== "string" && token.kind !== "comma")) {
    throw new MlflowFilterError(
      "While parsing a list in the query, expected string value, punctuation, or whitespace, " +
        `but got different type in list: ${list.text}`,
    );
  }
  const values: string[] = [];
  items.forEach((token, index) => {
    const expected = index % 2 === 0 ? "string" : "comma";
    if (token.kind !== expected) throw illFormed;
    if (token.kind === "string") values.push(decodePythonSingleQuoted(token.text));
  });
  return values.filter(isPythonLower);
}

/** Python's `str.islower()`: at least one cased character and no upper-case one. */
function isPythonLower(value: string): boolean {
  return value !== value.toUpperCase() && value === value.toLowerCase();
}
