import type { Run } from "@labtrack/schemas";

/** A run's key/value tags, sorted by key, for the Run page. */
export function keyValueTagRows(run: Run): [string, string][] {
  return Object.entries(run.keyValueTags).sort(([a], [b]) => a.localeCompare(b));
}

/** Where a run comes from, as an MLflow client reports it (the `mlflow.*` system tags). */
export function provenanceRows(run: Run): { source: string | null; user: string | null } {
  return {
    source: run.keyValueTags["mlflow.source.name"] ?? null,
    user: run.keyValueTags["mlflow.user"] ?? null,
  };
}
