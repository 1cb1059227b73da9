import { MlflowFilterError } from "./mlflow-filter-error.ts";
import { lexMlflowFilter } from "./mlflow-filter-lexer.ts";

/**
 * shlex.split's treatment of one word: quotes (MLflow first turns backquotes into double quotes)
 * are removed and backslash escapes honoured, so `metrics."a b"` becomes `metrics.a b`.
 */
function shlexWord(word: string): string {
  let out = "";
  let quote: string | null = null;
  for (let i = 0; i < word.length; i += 1) {
    const ch = word.charAt(i);
    const next = word.charAt(i + 1);
    if (quote === null && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = null;
    else if (
      ch === "\\" &&
      quote !== "'" &&
      (quote === null || next === '"' || next === "\\") &&
      next !== ""
    ) {
      out += next;
      i += 1;
    } else out += ch;
  }
  return out;
}

/**
 * MLflow's `_parse_order_by_string`: `<identifier> [ASC|DESC]` (any case), exactly one identifier
 * and nothing around it, not even whitespace. Returns the identifier text MLflow goes on with.
 */
export function parseOrderByString(orderBy: string): { identifier: string; ascending: boolean } {
  const unparsable = new MlflowFilterError(`Invalid order_by clause '${orderBy}'. Could not be parsed.`);
  if (orderBy.trim() !== orderBy) throw unparsable;
  const tokens = lexMlflowFilter(orderBy).filter((token) => token.kind !== "eof");
  const [first, second] = tokens;
  if (first?.kind !== "identifier" || tokens.length > 2) throw unparsable;
  if (second === undefined) return { identifier: first.text, ascending: true };
  if (second.kind !== "identifier" && second.kind !== "keyword") throw unparsable;
  const direction = second.text.toLowerCase();
  if (direction !== "asc" && direction !== "desc") {
    throw new MlflowFilterError(`Invalid ordering key in order_by clause '${orderBy}'.`);
  }
  return { identifier: shlexWord(first.text.replaceAll("`", '"')), ascending: direction === "asc" };
}
