import { MlflowFilterError, pyList, pySet } from "./mlflow-filter-error.ts";

/** Entity types of MLflow's run search, under their canonical names. */
export type MlflowEntityType = "metric" | "parameter" | "tag" | "attribute" | "dataset";

const ENTITY_ALIASES: Record<string, MlflowEntityType> = {
  metric: "metric",
  metrics: "metric",
  parameter: "parameter",
  parameters: "parameter",
  param: "parameter",
  params: "parameter",
  tag: "tag",
  tags: "tag",
  attribute: "attribute",
  attr: "attribute",
  attributes: "attribute",
  run: "attribute",
  dataset: "dataset",
  datasets: "dataset",
};

const CANONICAL_ENTITIES: readonly MlflowEntityType[] = [
  "metric",
  "parameter",
  "tag",
  "attribute",
  "dataset",
];

function isQuoted(value: string, quote: string): boolean {
  return value.length >= 2 && value.startsWith(quote) && value.endsWith(quote);
}

/** `_trim_backticks`: `` `x` `` -> `x`. */
export function trimBackticks(value: string): string {
  return isQuoted(value, "`") ? value.slice(1, -1) : value;
}

/** `_strip_quotes`: drops one pair of surrounding single or double quotes; nothing is unescaped. */
export function stripQuotes(value: string): string {
  return isQuoted(value, "'") || isQuoted(value, '"') ? value.slice(1, -1) : value;
}

/** `_strip_quotes(value, expect_quoted_value=True)`. */
export function stripRequiredQuotes(value: string): string {
  if (isQuoted(value, "'") || isQuoted(value, '"')) return value.slice(1, -1);
  throw new MlflowFilterError(
    `Parameter value is either not quoted or unidentified quote types used for string value ${value}. ` +
      "Use either single or double quotes.",
  );
}

export function runEntityType(raw: string): MlflowEntityType {
  const entity = trimBackticks(raw);
  const type = Object.hasOwn(ENTITY_ALIASES, entity) ? ENTITY_ALIASES[entity] : undefined;
  if (type === undefined) {
    throw new MlflowFilterError(
      `Invalid entity type '${entity}'. Valid values are ${pyList(CANONICAL_ENTITIES)}`,
    );
  }
  return type;
}

/**
 * MLflow's `_get_identifier`: `entity.key` is split at the first dot (a bare key is an attribute),
 * then the key loses its quotes and backquotes; attribute keys must be in `validAttributes`.
 */
export function splitIdentifier(
  identifier: string,
  entityType: (raw: string) => string,
): { type: string; key: string } {
  const dot = identifier.indexOf(".");
  const type = dot < 0 ? "attribute" : entityType(identifier.slice(0, dot));
  const key = trimBackticks(stripQuotes(dot < 0 ? identifier : identifier.slice(dot + 1)));
  return { type, key };
}

export function assertAttributeKey(key: string, validAttributes: readonly string[]): void {
  if (!validAttributes.includes(key)) {
    throw new MlflowFilterError(
      `Invalid attribute key '${key}' specified. Valid keys are '${pySet(validAttributes)}'`,
    );
  }
}
