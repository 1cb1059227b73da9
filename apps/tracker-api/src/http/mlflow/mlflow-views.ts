import type { JsonValue, Run, RunStatus } from "@labtrack/schemas";
import type { StoredPoint } from "../../services/metric-history.ts";
import type { ProjectRecord } from "../../services/project-records.ts";
import { configValueText } from "../../services/run-fields.ts";
import { experimentIdOf, mlflowRunId } from "./mlflow-ids.ts";
import { doubleToWire } from "./wire-numbers.ts";

/** Key/value tags the adapter keeps for itself (not shown to MLflow clients). */
export const INTERNAL_TAG_PREFIX = "labtrack.mlflow.";
/** The end time an MLflow client reported for a run whose status its runner sets. */
export const END_TIME_TAG = `${INTERNAL_TAG_PREFIX}endTime`;
/** Run results where datasets (log-inputs) and model outputs (runs/outputs) are kept. */
export const INPUTS_RESULT = "mlflow.inputs";
export const OUTPUTS_RESULT = "mlflow.outputs";

export const MLFLOW_RUN_STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"] as const;
export type MlflowRunStatus = (typeof MLFLOW_RUN_STATUSES)[number];

export function mlflowStatusOf(status: RunStatus): MlflowRunStatus {
  switch (status) {
    case "queued":
      return "SCHEDULED";
    case "running":
    case "canceling":
      return "RUNNING";
    case "succeeded":
      return "FINISHED";
    case "failed":
    case "lost":
      return "FAILED";
    case "canceled":
      return "KILLED";
  }
}

export const experimentArtifactLocation = (project: ProjectRecord) =>
  `mlflow-artifacts:/${experimentIdOf(project)}`;

export function runArtifactUri(project: ProjectRecord, runId: string): string {
  return `${experimentArtifactLocation(project)}/${mlflowRunId(runId)}/artifacts`;
}

const keyValues = (record: Record<string, string>) =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({ key, value }));

export function experimentView(project: ProjectRecord) {
  return {
    experiment_id: experimentIdOf(project),
    name: project.name,
    artifact_location: experimentArtifactLocation(project),
    lifecycle_stage: project.deletedAt ? "deleted" : "active",
    last_update_time: project.updatedAt.getTime(),
    creation_time: project.createdAt.getTime(),
    tags: keyValues(project.tags),
  };
}

/** What MLflow shows as a run's tags: its key/value tags plus the fields system tags stand for. */
export function runTags(run: Run): Record<string, string> {
  // Built from entries, so that a tag named `__proto__` stays a key.
  const tags: Record<string, string> = Object.fromEntries(
    Object.entries(run.keyValueTags).filter(([key]) => !key.startsWith(INTERNAL_TAG_PREFIX)),
  );
  tags["mlflow.runName"] = run.name;
  if (run.notes !== null) tags["mlflow.note.content"] = run.notes;
  if (run.parentRunId && !tags["mlflow.parentRunId"])
    tags["mlflow.parentRunId"] = mlflowRunId(run.parentRunId);
  return tags;
}

export function runParams(run: Run): Record<string, string> {
  return Object.fromEntries(Object.entries(run.config).map(([key, value]) => [key, configValueText(value)]));
}

export function runEndTime(run: Run): number | null {
  if (run.finishedAt) return Date.parse(run.finishedAt);
  const reported = run.keyValueTags[END_TIME_TAG];
  return reported === undefined ? null : Number(reported);
}

export function runInfoView(run: Run, project: ProjectRecord) {
  const endTime = runEndTime(run);
  return {
    run_id: mlflowRunId(run.id),
    run_uuid: mlflowRunId(run.id),
    run_name: run.name,
    experiment_id: experimentIdOf(project),
    user_id: run.keyValueTags["mlflow.user"] ?? "",
    status: mlflowStatusOf(run.status),
    start_time: Date.parse(run.startedAt ?? run.createdAt),
    ...(endTime !== null && { end_time: endTime }),
    artifact_uri: runArtifactUri(project, run.id),
    lifecycle_stage: run.deletedAt ? "deleted" : "active",
  };
}

export const metricView = (p: StoredPoint) => ({
  key: p.key,
  value: doubleToWire(p.value),
  timestamp: p.timeMs,
  step: p.step,
});

const listResult = (run: Run, key: string): JsonValue[] => {
  const value = run.results[key];
  return Array.isArray(value) ? value : [];
};

export function runView(run: Run, project: ProjectRecord, latest: readonly StoredPoint[]) {
  return {
    info: runInfoView(run, project),
    data: {
      metrics: latest.map(metricView),
      params: keyValues(runParams(run)),
      tags: keyValues(runTags(run)),
    },
    inputs: { dataset_inputs: listResult(run, INPUTS_RESULT) },
    outputs: { model_outputs: listResult(run, OUTPUTS_RESULT) },
  };
}
