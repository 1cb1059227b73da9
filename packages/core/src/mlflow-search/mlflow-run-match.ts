import { mlflowILike, mlflowLike } from "./mlflow-like.ts";
import type { MlflowRunClause, MlflowRunFilter } from "./mlflow-run-filter.ts";
import { type MlflowRunView, mlflowRunAttribute, ownValue } from "./mlflow-run-view.ts";

/** MLflow's `get_comparison_func` for one comparator on a present left-hand side. */
export function compareMlflowValues<T extends string | number>(
  lhs: T,
  comparator: string,
  value: T,
): boolean {
  switch (comparator) {
    case "=":
      return lhs === value;
    case "!=":
      // Python's `!=`: NaN differs from everything, itself included (JS `!==` agrees).
      return lhs !== value;
    case "<":
      return lhs < value;
    case "<=":
      return lhs <= value;
    case ">":
      return lhs > value;
    case ">=":
      return lhs >= value;
    case "LIKE":
      return mlflowLike(String(lhs), String(value));
    case "ILIKE":
      return mlflowILike(String(lhs), String(value));
    default:
      return false;
  }
}

function datasetField(
  dataset: { name: string; digest: string; context?: string },
  key: string,
): string | null {
  if (key === "context") return dataset.context ?? null;
  return key === "name" ? dataset.name : dataset.digest;
}

function matchesClause(run: MlflowRunView, clause: MlflowRunClause): boolean {
  if (clause.comparator === "IS NULL" || clause.comparator === "IS NOT NULL") {
    const record = clause.type === "tag" ? run.tags : run.params;
    return (ownValue(record, clause.key) === undefined) === (clause.comparator === "IS NULL");
  }
  if (clause.type === "dataset") {
    // A run matches when any of its inputs does; a run without inputs matches nothing.
    return (run.datasets ?? []).some((dataset) => {
      const lhs = datasetField(dataset, clause.key);
      if (lhs === null) return false;
      if ("values" in clause) return clause.values.includes(lhs) === (clause.comparator === "IN");
      return compareMlflowValues(lhs, clause.comparator, clause.value);
    });
  }
  let lhs: string | number | null | undefined;
  if (clause.type === "metric") lhs = ownValue(run.metrics, clause.key);
  else if (clause.type === "parameter") lhs = ownValue(run.params, clause.key);
  else if (clause.type === "tag") lhs = ownValue(run.tags, clause.key);
  else lhs = mlflowRunAttribute(run, clause.key);
  if (lhs === null || lhs === undefined) return false;
  if ("values" in clause) return clause.values.includes(String(lhs)) === (clause.comparator === "IN");
  return "value" in clause && compareMlflowValues(lhs, clause.comparator, clause.value);
}

/** Whether `run` satisfies every clause of `filter`, as MLflow's `SearchUtils.filter` decides. */
export function matchesMlflowRun(filter: MlflowRunFilter, run: MlflowRunView): boolean {
  return filter.clauses.every((clause) => matchesClause(run, clause));
}
