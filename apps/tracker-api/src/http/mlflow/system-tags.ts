import { runName } from "@labtrack/schemas";
import type { RunFieldChanges } from "../../services/run-fields.ts";
import { invalidParameter } from "./mlflow-error.ts";
import { parseRunId } from "./mlflow-ids.ts";

/** A run name as Labtrack keeps it (1 to 200 characters), or 400 naming where it came from. */
export function checkedRunName(value: string, what: string, where: string): string {
  if (!runName.safeParse(value).success) {
    throw invalidParameter(`${what} '${value.slice(0, 250)}' ${where} must be 1 to 200 characters`);
  }
  return value;
}

/**
 * MLflow tags as run changes: `mlflow.runName` is the run's name, `mlflow.note.content` its notes,
 * `mlflow.parentRunId` also sets its parent run; every other tag (`mlflow.user`,
 * `mlflow.source.name`, …) is a key/value tag. The last value of a key wins, as in MLflow.
 */
export function changesFromTags(tags: readonly { key: string; value: string }[]): RunFieldChanges {
  const changes: RunFieldChanges = {};
  // No prototype: a tag named `__proto__` is a key like every other.
  const keyValueTags: Record<string, string> = Object.create(null);
  for (const { key, value } of tags) {
    if (key === "mlflow.runName") {
      changes.name = checkedRunName(value, "Tag value", "for mlflow.runName");
    } else if (key === "mlflow.note.content") {
      changes.notes = value;
    } else {
      if (key === "mlflow.parentRunId") changes.parentRunId = parseRunId(value);
      keyValueTags[key] = value;
    }
  }
  if (Object.keys(keyValueTags).length > 0) changes.setKeyValueTags = keyValueTags;
  return changes;
}
