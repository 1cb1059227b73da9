/**
 * SQL LIKE as MLflow's SQL store evaluates it: `%` is any run of characters, `_` exactly one, every
 * other character stands for itself (no escape character), LIKE is case-sensitive (MLflow turns on
 * SQLite's `case_sensitive_like`) and ILIKE is not.
 */
const cache = new Map<string, RegExp>();

function likeRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const cacheKey = `${caseInsensitive ? "i" : "s"}:${pattern}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  let source = "";
  for (const ch of pattern) {
    if (ch === "%") source += "[\\s\\S]*";
    else if (ch === "_") source += "[\\s\\S]";
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/gu, "\\$&");
  }
  const regExp = new RegExp(`^${source}$`, caseInsensitive ? "iu" : "u");
  if (cache.size > 500) cache.clear();
  cache.set(cacheKey, regExp);
  return regExp;
}

export function mlflowLike(value: string, pattern: string): boolean {
  return likeRegExp(pattern, false).test(value);
}

export function mlflowILike(value: string, pattern: string): boolean {
  return likeRegExp(pattern, true).test(value);
}
