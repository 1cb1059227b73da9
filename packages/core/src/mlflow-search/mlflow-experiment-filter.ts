import { type RawComparison, splitMlflowComparisons } from "./mlflow-filter-clauses.ts";
import { MlflowFilterError, pyTuple } from "./mlflow-filter-error.ts";
import { assertAttributeKey, splitIdentifier } from "./mlflow-identifier.ts";
import {
  assertComparator,
  assertIdentifier,
  MLFLOW_NUMERIC_COMPARATORS,
  MLFLOW_STRING_COMPARATORS,
  type MlflowNumericComparator,
  type MlflowStringComparator,
  numericValue,
  quotedValue,
} from "./mlflow-run-filter.ts";
import { compareMlflowValues } from "./mlflow-run-match.ts";
import { ownValue } from "./mlflow-run-view.ts";

/** What MLflow's experiment search sees of an experiment. Times are epoch milliseconds. */
export interface MlflowExperimentView {
  experimentId: string;
  name: string;
  creationTime: number | null;
  lastUpdateTime: number | null;
  lifecycleStage: "active" | "deleted";
  tags: Record<string, string>;
}

export type MlflowExperimentClause =
  | { type: "attribute"; key: "name"; comparator: MlflowStringComparator; value: string }
  | {
      type: "attribute";
      key: "creation_time" | "last_update_time";
      comparator: MlflowNumericComparator;
      value: number;
    }
  | { type: "tag"; key: string; comparator: MlflowStringComparator; value: string };

/** A parsed `experiments/search` filter: every clause must hold. */
export interface MlflowExperimentFilter {
  clauses: MlflowExperimentClause[];
}

const SEARCH_ATTRIBUTES = ["name", "creation_time", "last_update_time"];
const ENTITY_TYPES = ["attribute", "tag", "tags"];

/** SearchExperimentsUtils accepts only these entity spellings (not `attributes.`, not backquoted). */
export function experimentEntityType(raw: string): "attribute" | "tag" {
  if (!ENTITY_TYPES.includes(raw)) {
    throw new MlflowFilterError(
      `Invalid entity type '${raw}'. Valid entity types are ${pyTuple(ENTITY_TYPES)}`,
    );
  }
  return raw === "attribute" ? "attribute" : "tag";
}

function stringValue(comparison: RawComparison, what: string): string {
  const { right } = comparison;
  const value = right.kind === "token" ? quotedValue(right.token) : null;
  if (value !== null) return value;
  if (right.kind === "list" && what === "attributes") {
    throw new MlflowFilterError(
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.",
    );
  }
  const found = right.kind === "token" ? right.token.text : right.kind === "list" ? right.text : "";
  throw new MlflowFilterError(`Expected a quoted string value for ${what}. Got value ${found}`);
}

function experimentClause(comparison: RawComparison): MlflowExperimentClause {
  const { left, comparator, right } = comparison;
  assertIdentifier(left);
  const { type, key } = splitIdentifier(left.text, experimentEntityType);
  if (comparator === "IS NULL" || comparator === "IS NOT NULL") {
    throw new MlflowFilterError(`Invalid comparator '${comparator}' in experiment filter '${left.text}'`);
  }
  if (type === "tag") {
    const value = stringValue(comparison, "tag (e.g. 'my-value')");
    return { type: "tag", key, comparator: assertComparator(comparator, MLFLOW_STRING_COMPARATORS), value };
  }
  assertAttributeKey(key, SEARCH_ATTRIBUTES);
  if (key === "creation_time" || key === "last_update_time") {
    const value = numericValue(right, `numeric attribute: ${key}`);
    return {
      type: "attribute",
      key,
      comparator: assertComparator(comparator, MLFLOW_NUMERIC_COMPARATORS),
      value,
    };
  }
  const value = stringValue(comparison, "attributes");
  return {
    type: "attribute",
    key: "name",
    comparator: assertComparator(comparator, MLFLOW_STRING_COMPARATORS),
    value,
  };
}

/**
 * Parses the `filter` of MLflow's `experiments/search` (SearchExperimentsUtils): AND-ed comparisons
 * on `name`, `creation_time`, `last_update_time` (bare or `attribute.`) and `tags.<key>`.
 */
export function parseMlflowExperimentFilter(text: string): MlflowExperimentFilter {
  const comparisons = splitMlflowComparisons(text, { quoteInvalidClauses: false });
  return { clauses: comparisons.map(experimentClause) };
}

function matchesClause(experiment: MlflowExperimentView, clause: MlflowExperimentClause): boolean {
  if (clause.type === "tag") {
    const lhs = ownValue(experiment.tags, clause.key);
    return lhs !== undefined && compareMlflowValues(lhs, clause.comparator, clause.value);
  }
  if (clause.key === "name") return compareMlflowValues(experiment.name, clause.comparator, clause.value);
  const lhs = clause.key === "creation_time" ? experiment.creationTime : experiment.lastUpdateTime;
  return lhs !== null && compareMlflowValues(lhs, clause.comparator, clause.value);
}

/** Whether `experiment` satisfies every clause of `filter`. */
export function matchesMlflowExperiment(
  filter: MlflowExperimentFilter,
  experiment: MlflowExperimentView,
): boolean {
  return filter.clauses.every((clause) => matchesClause(experiment, clause));
}
