import { runStatus } from "@labtrack/schemas";
import { ISO_DATE_HELP, isoDateToEpochSeconds } from "./iso-date.ts";
import { FIELD_HELP, type FilterField, formatFieldPath, parseFieldAt } from "./run-filter-field.ts";
import {
  column,
  describeToken,
  FilterSyntaxError,
  type FilterToken,
  isWordChar,
  quote,
  tokenizeFilter,
} from "./run-filter-lexer.ts";

export {
  type FilterField,
  formatFieldPath,
  parseFieldPath,
  RUN_FILTER_FIELDS,
  type RunFilterFieldKey,
  SUMMARY_STATS,
  type SummaryStat,
} from "./run-filter-field.ts";
export { FilterSyntaxError } from "./run-filter-lexer.ts";

export type FilterValue = string | number | boolean | null;
export type FilterCompareOp = "=" | "!=" | "<" | "<=" | ">" | ">=" | "~";
export type FilterExpr =
  | { type: "and" | "or"; left: FilterExpr; right: FilterExpr }
  | { type: "not"; expr: FilterExpr }
  | { type: "compare"; field: FilterField; op: FilterCompareOp; value: FilterValue }
  | { type: "in"; field: FilterField; values: FilterValue[] }
  | { type: "has"; field: FilterField; value: string };

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const KEYWORDS = new Set(["and", "or", "not", "in", "has", "true", "false", "null"]);
const STATUSES: readonly string[] = runStatus.options;

/**
 * How deeply parentheses and `not` may nest. Each level is a level of SQL expression (and of
 * recursion here); Postgres on PGlite runs out of stack long before a person needs 32.
 */
export const MAX_FILTER_NESTING = 32;

function isKeyword(token: FilterToken, word: string): boolean {
  return token.kind === "word" && token.text.toLowerCase() === word;
}

class FilterParser {
  private index = 0;
  private nesting = 0;

  constructor(private readonly tokens: FilterToken[]) {}

  private peek(): FilterToken {
    return this.tokens[this.index] ?? { kind: "eof", text: "", pos: 0 };
  }

  private next(): FilterToken {
    const token = this.peek();
    if (token.kind !== "eof") this.index += 1;
    return token;
  }

  private fail(expected: string, token: FilterToken): never {
    throw new FilterSyntaxError(
      `expected ${expected} at ${column(token.pos)} but found ${describeToken(token)}`,
      token.pos,
    );
  }

  parse(): FilterExpr {
    const expr = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== "eof") this.fail("'and', 'or' or the end of the filter", rest);
    return expr;
  }

  private parseOr(): FilterExpr {
    let left = this.parseAnd();
    while (isKeyword(this.peek(), "or")) {
      this.next();
      left = { type: "or", left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterExpr {
    let left = this.parseNot();
    while (isKeyword(this.peek(), "and")) {
      this.next();
      left = { type: "and", left, right: this.parseNot() };
    }
    return left;
  }

  /** Runs `parse` one nesting level deeper, refusing to go past MAX_FILTER_NESTING. */
  private nested<T>(token: FilterToken, parse: () => T): T {
    this.nesting += 1;
    if (this.nesting > MAX_FILTER_NESTING) {
      throw new FilterSyntaxError(
        `the filter nests parentheses and 'not' more than ${MAX_FILTER_NESTING} deep at ${column(token.pos)}`,
        token.pos,
      );
    }
    const result = parse();
    this.nesting -= 1;
    return result;
  }

  private parseNot(): FilterExpr {
    const token = this.peek();
    if (isKeyword(token, "not")) {
      this.next();
      return this.nested(token, () => ({ type: "not", expr: this.parseNot() }));
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FilterExpr {
    const token = this.next();
    if (token.kind === "lparen") {
      return this.nested(token, () => {
        const expr = this.parseOr();
        const close = this.peek();
        if (close.kind !== "rparen") this.fail(`')' (to close the '(' at ${column(token.pos)})`, close);
        this.next();
        return expr;
      });
    }
    if (token.kind !== "word" || ["and", "or", "in", "has"].includes(token.text.toLowerCase())) {
      this.fail(`a condition (${FIELD_HELP})`, token);
    }
    return this.parseTerm(token, parseFieldAt(token.text, token.pos));
  }

  private parseTerm(fieldToken: FilterToken, field: FilterField): FilterExpr {
    const opToken = this.next();
    const isTags = field.scope === "run" && field.key === "tags";
    if (isKeyword(opToken, "in")) return { type: "in", field, values: this.parseList(field, opToken) };
    if (isKeyword(opToken, "has")) {
      if (!isTags && field.scope !== "config") {
        throw new FilterSyntaxError(
          `'has' works on tags and config fields, not on '${fieldToken.text}' (${column(opToken.pos)})`,
          opToken.pos,
        );
      }
      return { type: "has", field, value: this.parseText(opToken) };
    }
    if (opToken.kind !== "op") {
      this.fail(`an operator (=, !=, <, <=, >, >=, ~, in, has) after '${fieldToken.text}'`, opToken);
    }
    const op: FilterCompareOp = opToken.text === "==" ? "=" : opToken.text;
    if (isTags) {
      if (op === "=") return { type: "has", field, value: this.parseText(opToken) };
      if (op === "!=") return { type: "not", expr: { type: "has", field, value: this.parseText(opToken) } };
      throw new FilterSyntaxError(
        `tags can be tested with has, =, != or in, not '${opToken.text}' (${column(opToken.pos)})`,
        opToken.pos,
      );
    }
    const isDate = field.scope === "run" && field.key === "createdAt";
    if (op === "~" && isDate) {
      throw new FilterSyntaxError(
        `createdAt is a date: compare it with =, !=, <, <=, > or >= to ${ISO_DATE_HELP} (${column(opToken.pos)})`,
        opToken.pos,
      );
    }
    if (op === "~") return { type: "compare", field, op, value: this.parseText(opToken) };
    const value = field.scope === "keyValueTag" ? this.parseTagValue(opToken) : this.parseValue(opToken);
    if (op === "=" || op === "!=") this.checkStatus(field, value);
    this.checkDate(field, value);
    return { type: "compare", field, op, value };
  }

  private parseList(field: FilterField, inToken: FilterToken): FilterValue[] {
    const open = this.next();
    if (open.kind !== "lparen") this.fail("'(' after 'in'", open);
    const values: FilterValue[] = [];
    for (;;) {
      const after = values.length === 0 ? open : (this.tokens[this.index - 1] ?? inToken);
      const value = field.scope === "keyValueTag" ? this.parseTagValue(after) : this.parseValue(after);
      this.checkStatus(field, value);
      this.checkDate(field, value);
      values.push(value);
      const sep = this.next();
      if (sep.kind === "rparen") return values;
      if (sep.kind !== "comma") this.fail("',' or ')' in the list", sep);
    }
  }

  private valueExpected(after: FilterToken, found: FilterToken): never {
    throw new FilterSyntaxError(
      `expected a value after '${after.text}' at ${column(found.pos)} but found ${describeToken(found)}`,
      found.pos,
    );
  }

  private parseValue(after: FilterToken): FilterValue {
    const token = this.next();
    if (token.kind === "string") return token.value;
    if (token.kind !== "word") return this.valueExpected(after, token);
    const lower = token.text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
    if (lower === "null") return null;
    if (NUMBER.test(token.text)) return Number(token.text);
    if (KEYWORDS.has(lower)) return this.valueExpected(after, token);
    return token.text;
  }

  /** A key/value tag's value is text: `tags.epochs = 10` means "10"; `null` means the tag is absent. */
  private parseTagValue(after: FilterToken): string | null {
    const token = this.peek();
    if (token.kind === "word" && token.text.toLowerCase() === "null") {
      this.next();
      return null;
    }
    return this.parseText(after);
  }

  /** A value used as text (`~`, `has`): barewords keep their spelling, so `~ 50` means "50". */
  private parseText(after: FilterToken): string {
    const token = this.next();
    if (token.kind === "string") return token.value;
    if (token.kind !== "word" || ["and", "or", "not"].includes(token.text.toLowerCase())) {
      return this.valueExpected(after, token);
    }
    return token.text;
  }

  /** createdAt takes ISO-8601 text (or seconds since the epoch, as a number). */
  private checkDate(field: FilterField, value: FilterValue): void {
    if (field.scope !== "run" || field.key !== "createdAt" || typeof value !== "string") return;
    if (isoDateToEpochSeconds(value) !== null) return;
    const pos = this.tokens[this.index - 1]?.pos ?? 0;
    throw new FilterSyntaxError(
      `createdAt: ${JSON.stringify(value)} at ${column(pos)} is not ${ISO_DATE_HELP}`,
      pos,
    );
  }

  private checkStatus(field: FilterField, value: FilterValue): void {
    if (field.scope !== "run" || field.key !== "status") return;
    if (typeof value === "string" && STATUSES.includes(value)) return;
    const token = this.tokens[this.index - 1];
    const pos = token?.pos ?? 0;
    throw new FilterSyntaxError(
      `unknown status ${JSON.stringify(value)} at ${column(pos)}: expected one of ${STATUSES.join(", ")}`,
      pos,
    );
  }
}

/** Parses a `runs.list` filter; null when the text is empty or only whitespace. */
export function parseRunFilter(text: string): FilterExpr | null {
  if (text.trim() === "") return null;
  return new FilterParser(tokenizeFilter(text)).parse();
}

function formatValue(value: FilterValue): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value !== "string") return String(value);
  const bare =
    value !== "" && [...value].every(isWordChar) && !NUMBER.test(value) && !KEYWORDS.has(value.toLowerCase());
  return bare ? value : quote(value);
}

const PRECEDENCE = { or: 1, and: 2, not: 3 } as const;

function formatAt(expr: FilterExpr, min: number): string {
  switch (expr.type) {
    case "and":
    case "or": {
      const own = PRECEDENCE[expr.type];
      // Left-associative: a right child of the same kind needs parentheses to keep its shape.
      const text = `${formatAt(expr.left, own)} ${expr.type} ${formatAt(expr.right, own + 1)}`;
      return own < min ? `(${text})` : text;
    }
    case "not":
      return `not ${formatAt(expr.expr, PRECEDENCE.not)}`;
    case "compare":
      return `${formatFieldPath(expr.field)} ${expr.op} ${formatValue(expr.value)}`;
    case "in":
      return `${formatFieldPath(expr.field)} in (${expr.values.map(formatValue).join(", ")})`;
    case "has":
      return `${formatFieldPath(expr.field)} has ${formatValue(expr.value)}`;
  }
}

/** Canonical text of a filter; `parseRunFilter(formatRunFilter(e))` gives `e` back. */
export function formatRunFilter(expr: FilterExpr): string {
  return formatAt(expr, 0);
}
