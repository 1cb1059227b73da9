import { MlflowFilterError, pyList } from "./mlflow-filter-error.ts";
import { assertAttributeKey, runEntityType, splitIdentifier } from "./mlflow-identifier.ts";
import { parseOrderByString } from "./mlflow-order-clause.ts";
import { canonicalRunAttribute } from "./mlflow-run-filter.ts";
import { type MlflowRunView, mlflowRunAttribute, ownValue } from "./mlflow-run-view.ts";

/** One `order_by` clause of `runs/search`; attribute keys are canonical (`created` -> `start_time`). */
export interface MlflowOrderBy {
  type: "metric" | "parameter" | "tag" | "attribute";
  key: string;
  ascending: boolean;
}

/** `RunInfo`'s orderable attributes plus MLflow's `created` alias (not the `run name` ones). */
const ORDER_BY_ATTRIBUTES = [
  "artifact_uri",
  "end_time",
  "run_id",
  "run_name",
  "start_time",
  "status",
  "user_id",
  "created",
  "Created",
];

function parseOne(clause: string): MlflowOrderBy {
  const { identifier, ascending } = parseOrderByString(clause);
  const { type, key } = splitIdentifier(identifier.trim(), runEntityType);
  if (type === "attribute") {
    assertAttributeKey(key, ORDER_BY_ATTRIBUTES);
    return { type, key: canonicalRunAttribute(key)!, ascending };
  }
  if (type === "dataset") throw new MlflowFilterError(`Invalid order_by entity type '${type}'`);
  return { type: type as MlflowOrderBy["type"], key, ascending };
}

/** Parses `runs/search`'s `order_by` list (`metrics.acc DESC`, `attributes.start_time ASC`, ...). */
export function parseMlflowOrderBy(clauses: readonly string[]): MlflowOrderBy[] {
  const parsed = clauses.map(parseOne);
  const seen = new Set<string>();
  for (const { type, key } of parsed) {
    const field = `${type}\u0000${key}`;
    if (seen.has(field)) {
      throw new MlflowFilterError(`\`order_by\` contains duplicate fields: ${pyList(clauses)}`);
    }
    seen.add(field);
  }
  return parsed;
}

type SortValue = { rank: 0; value: string | number } | { rank: 1 | 2 };

/** Rank 0: a value; 1: NaN; 2: missing. MLflow puts NaN, then missing, after values either way. */
function sortValue(run: MlflowRunView, order: MlflowOrderBy): SortValue {
  let value: string | number | null | undefined;
  if (order.type === "metric") value = ownValue(run.metrics, order.key);
  else if (order.type === "parameter") value = ownValue(run.params, order.key);
  else if (order.type === "tag") value = ownValue(run.tags, order.key);
  else value = mlflowRunAttribute(run, order.key);
  if (value === null || value === undefined) return { rank: 2 };
  if (typeof value === "number" && Number.isNaN(value)) return { rank: 1 };
  return { rank: 0, value };
}

function compareValues(a: string | number, b: string | number): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareBy(order: MlflowOrderBy, a: MlflowRunView, b: MlflowRunView): number {
  const left = sortValue(a, order);
  const right = sortValue(b, order);
  if (left.rank !== 0 || right.rank !== 0) return left.rank - right.rank;
  const result = compareValues(left.value, right.value);
  return order.ascending ? result : -result;
}

/**
 * The order MLflow returns runs in: the given clauses first, then its natural order (start time
 * descending, then run id), so the order is total and ties never depend on input order.
 */
export function compareMlflowRuns(
  order: readonly MlflowOrderBy[],
): (a: MlflowRunView, b: MlflowRunView) => number {
  return (a, b) => {
    for (const clause of order) {
      const result = compareBy(clause, a, b);
      if (result !== 0) return result;
    }
    if (a.startTime !== b.startTime) return b.startTime - a.startTime > 0 ? 1 : -1;
    return compareValues(a.runId, b.runId);
  };
}
