import {
  parseMlflowStringList,
  type RawComparison,
  type RawOperand,
  splitMlflowComparisons,
} from "./mlflow-filter-clauses.ts";
import { MlflowFilterError, pySet } from "./mlflow-filter-error.ts";
import type { MlflowToken } from "./mlflow-filter-lexer.ts";
import {
  assertAttributeKey,
  runEntityType,
  splitIdentifier,
  stripRequiredQuotes,
} from "./mlflow-identifier.ts";

export type MlflowNumericComparator = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type MlflowStringComparator = "=" | "!=" | "LIKE" | "ILIKE";
export type MlflowListComparator = "IN" | "NOT IN";
export type MlflowNullComparator = "IS NULL" | "IS NOT NULL";
export type MlflowStringAttribute = "run_id" | "run_name" | "status" | "artifact_uri" | "user_id";
export type MlflowNumericAttribute = "start_time" | "end_time";
export type MlflowDatasetKey = "name" | "digest" | "context";

/** One AND-ed condition of an MLflow run filter; keys are canonical (`created` -> `start_time`). */
export type MlflowRunClause =
  | { type: "metric"; key: string; comparator: MlflowNumericComparator; value: number }
  | { type: "parameter" | "tag"; key: string; comparator: MlflowStringComparator; value: string }
  | { type: "parameter" | "tag"; key: string; comparator: MlflowNullComparator }
  | { type: "attribute"; key: MlflowStringAttribute; comparator: MlflowStringComparator; value: string }
  | { type: "attribute"; key: "run_id"; comparator: MlflowListComparator; values: string[] }
  | { type: "attribute"; key: MlflowNumericAttribute; comparator: MlflowNumericComparator; value: number }
  | { type: "dataset"; key: MlflowDatasetKey; comparator: MlflowStringComparator; value: string }
  | { type: "dataset"; key: MlflowDatasetKey; comparator: MlflowListComparator; values: string[] };

/** A parsed `search_runs` filter: every clause must hold. No clause matches every run. */
export interface MlflowRunFilter {
  clauses: MlflowRunClause[];
}

export const MLFLOW_NUMERIC_COMPARATORS: readonly MlflowNumericComparator[] = [
  "=",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
];
export const MLFLOW_STRING_COMPARATORS: readonly MlflowStringComparator[] = ["=", "!=", "LIKE", "ILIKE"];

/** `RunInfo`'s searchable attributes plus the aliases MLflow's UI uses. */
const ATTRIBUTE_ALIASES: Record<string, MlflowStringAttribute | MlflowNumericAttribute> = {
  run_id: "run_id",
  run_name: "run_name",
  status: "status",
  artifact_uri: "artifact_uri",
  user_id: "user_id",
  start_time: "start_time",
  end_time: "end_time",
  created: "start_time",
  Created: "start_time",
  "run name": "run_name",
  "Run name": "run_name",
  "Run Name": "run_name",
};
export const MLFLOW_RUN_SEARCH_ATTRIBUTES: readonly string[] = Object.keys(ATTRIBUTE_ALIASES);
const DATASET_KEYS: readonly MlflowDatasetKey[] = ["name", "digest", "context"];

export function canonicalRunAttribute(
  key: string,
): MlflowStringAttribute | MlflowNumericAttribute | undefined {
  return Object.hasOwn(ATTRIBUTE_ALIASES, key) ? ATTRIBUTE_ALIASES[key] : undefined;
}

export function isNumericRunAttribute(key: string): key is MlflowNumericAttribute {
  return key === "start_time" || key === "end_time";
}

function operandText(right: RawOperand): string {
  if (right.kind === "token") return right.token.text;
  return right.kind === "list" ? right.text : "";
}

export function assertComparator<T extends string>(comparator: string, valid: readonly T[]): T {
  if (!(valid as readonly string[]).includes(comparator)) {
    throw new MlflowFilterError(`Invalid comparator '${comparator}' not one of '${pySet(valid)}'`);
  }
  return comparator as T;
}

/** A numeric literal, or MLflow's error naming what was found instead. */
export function numericValue(right: RawOperand, what: string): number {
  if (right.kind === "token" && right.token.kind === "number") return Number(right.token.text);
  throw new MlflowFilterError(`Expected numeric value type for ${what}. Found ${operandText(right)}`);
}

/** A quoted string value (a single-quoted literal or a double-quoted name), quotes stripped. */
export function quotedValue(token: MlflowToken): string | null {
  if (token.kind === "string" || token.kind === "identifier") return stripRequiredQuotes(token.text);
  return null;
}

export function assertIdentifier(left: MlflowToken): void {
  if (left.kind !== "identifier") {
    throw new MlflowFilterError(`Invalid comparison clause. Expected 'Identifier' found '${left.text}'`);
  }
}

function stringClauseValue(right: RawOperand, type: "parameter" | "tag" | "dataset"): string | null {
  const value = right.kind === "token" ? quotedValue(right.token) : null;
  if (value !== null || (type === "dataset" && right.kind === "list")) return value;
  const what = type === "dataset" ? "dataset attributes. Got value" : `${type} (e.g. 'my-value'). Got value`;
  throw new MlflowFilterError(`Expected a quoted string value for ${what} ${operandText(right)}`);
}

function listComparator(comparator: string): MlflowListComparator {
  if (comparator === "IN" || comparator === "NOT IN") return comparator;
  throw new MlflowFilterError(
    `Invalid comparator '${comparator}' for a list of values, not one of '${pySet(["IN", "NOT IN"])}'`,
  );
}

function attributeClause(key: string, comparator: string, right: RawOperand): MlflowRunClause {
  const attribute = canonicalRunAttribute(key)!;
  if (isNumericRunAttribute(attribute)) {
    const value = numericValue(right, `numeric attribute: ${key}`);
    return {
      type: "attribute",
      key: attribute,
      comparator: assertComparator(comparator, MLFLOW_NUMERIC_COMPARATORS),
      value,
    };
  }
  if (right.kind === "list") {
    if (attribute !== "run_id") {
      throw new MlflowFilterError(
        "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
      );
    }
    const values = parseMlflowStringList(right);
    return { type: "attribute", key: "run_id", comparator: listComparator(comparator), values };
  }
  const value = right.kind === "token" ? quotedValue(right.token) : null;
  if (value === null) {
    throw new MlflowFilterError(
      `Expected a quoted string value for attributes. Got value ${operandText(right)}`,
    );
  }
  return {
    type: "attribute",
    key: attribute,
    comparator: assertComparator(comparator, MLFLOW_STRING_COMPARATORS),
    value,
  };
}

function runClause({ left, comparator, right }: RawComparison): MlflowRunClause {
  assertIdentifier(left);
  const { type, key } = splitIdentifier(left.text, runEntityType);
  if (type === "attribute") assertAttributeKey(key, MLFLOW_RUN_SEARCH_ATTRIBUTES);
  if (type === "dataset" && !(DATASET_KEYS as readonly string[]).includes(key)) {
    throw new MlflowFilterError(
      `Invalid dataset key '${key}' specified. Valid keys are '${pySet(DATASET_KEYS)}'`,
    );
  }
  if (comparator === "IS NULL" || comparator === "IS NOT NULL") {
    if (type !== "parameter" && type !== "tag") {
      throw new MlflowFilterError(
        `IS NULL / IS NOT NULL is only supported for tags and params, not '${left.text}'`,
      );
    }
    return { type, key, comparator };
  }
  switch (type) {
    case "metric": {
      const value = numericValue(right, "metric");
      return { type, key, comparator: assertComparator(comparator, MLFLOW_NUMERIC_COMPARATORS), value };
    }
    case "parameter":
    case "tag": {
      const value = stringClauseValue(right, type)!;
      return { type, key, comparator: assertComparator(comparator, MLFLOW_STRING_COMPARATORS), value };
    }
    case "dataset": {
      const dataset = key as MlflowDatasetKey;
      const value = stringClauseValue(right, "dataset");
      if (value !== null) {
        return {
          type,
          key: dataset,
          comparator: assertComparator(comparator, MLFLOW_STRING_COMPARATORS),
          value,
        };
      }
      const values = right.kind === "list" ? parseMlflowStringList(right) : [];
      return { type, key: dataset, comparator: listComparator(comparator), values };
    }
    default:
      return attributeClause(key, comparator, right);
  }
}

/**
 * Parses the `filter` of MLflow's `runs/search` with MLflow's grammar and error messages: AND-ed
 * comparisons on `metrics.`, `params.`, `tags.`, `attributes.` (alias `attr.`/`run.`, bare keys are
 * attributes) and `datasets.`. An empty or blank filter has no clauses.
 */
export function parseMlflowRunFilter(text: string): MlflowRunFilter {
  const comparisons = splitMlflowComparisons(text, { quoteInvalidClauses: true });
  return { clauses: comparisons.map(runClause) };
}
