import type { MlflowExperimentView } from "./mlflow-experiment-filter.ts";
import { experimentEntityType } from "./mlflow-experiment-filter.ts";
import { MlflowFilterError } from "./mlflow-filter-error.ts";
import { assertAttributeKey, splitIdentifier } from "./mlflow-identifier.ts";
import { parseOrderByString } from "./mlflow-order-clause.ts";

export type MlflowExperimentOrderKey = "name" | "experiment_id" | "creation_time" | "last_update_time";

export interface MlflowExperimentOrderBy {
  key: MlflowExperimentOrderKey;
  ascending: boolean;
}

const ORDER_BY_ATTRIBUTES: readonly MlflowExperimentOrderKey[] = [
  "name",
  "experiment_id",
  "creation_time",
  "last_update_time",
];

/** MLflow's order when a search gives none. */
const DEFAULT_ORDER: readonly MlflowExperimentOrderBy[] = [
  { key: "creation_time", ascending: false },
  { key: "experiment_id", ascending: true },
];

function parseOne(clause: string): MlflowExperimentOrderBy {
  const { identifier, ascending } = parseOrderByString(clause);
  const { type, key } = splitIdentifier(identifier.trim(), experimentEntityType);
  if (type !== "attribute") throw new MlflowFilterError(`Invalid order_by entity: ${type}`);
  assertAttributeKey(key, ORDER_BY_ATTRIBUTES);
  return { key: key as MlflowExperimentOrderKey, ascending };
}

/** Parses `experiments/search`'s `order_by`; none means `creation_time DESC, experiment_id ASC`. */
export function parseMlflowExperimentOrderBy(clauses: readonly string[]): MlflowExperimentOrderBy[] {
  return clauses.length === 0 ? [...DEFAULT_ORDER] : clauses.map(parseOne);
}

function sortValue(experiment: MlflowExperimentView, key: MlflowExperimentOrderKey): string | number | null {
  switch (key) {
    case "name":
      return experiment.name;
    case "creation_time":
      return experiment.creationTime;
    case "last_update_time":
      return experiment.lastUpdateTime;
    default:
      // Experiment ids are integers in MLflow's SQL store ("10" after "9").
      return /^\d+$/u.test(experiment.experimentId)
        ? Number(experiment.experimentId)
        : experiment.experimentId;
  }
}

function compareBy(order: MlflowExperimentOrderBy, a: MlflowExperimentView, b: MlflowExperimentView): number {
  const left = sortValue(a, order.key);
  const right = sortValue(b, order.key);
  if (left === right) return 0;
  // Unset values last whichever the direction, as MLflow's _Sorter.
  if (left === null) return 1;
  if (right === null) return -1;
  if (typeof left !== typeof right) return typeof left === "number" ? -1 : 1;
  const result = left < right ? -1 : 1;
  return order.ascending ? result : -result;
}

/**
 * The order of `experiments/search`: the given clauses (MLflow's default when empty), then
 * experiment id descending as MLflow's tie-breaker when the clauses do not name it.
 */
export function compareMlflowExperiments(
  order: readonly MlflowExperimentOrderBy[],
): (a: MlflowExperimentView, b: MlflowExperimentView) => number {
  const clauses = order.length === 0 ? DEFAULT_ORDER : order;
  const withTieBreak = clauses.some((clause) => clause.key === "experiment_id")
    ? clauses
    : [...clauses, { key: "experiment_id" as const, ascending: false }];
  return (a, b) => {
    for (const clause of withTieBreak) {
      const result = compareBy(clause, a, b);
      if (result !== 0) return result;
    }
    return 0;
  };
}
