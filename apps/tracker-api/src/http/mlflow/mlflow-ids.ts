import type { Services } from "../../services/index.ts";
import { DEFAULT_PROJECT_SLUG, type ProjectRecord } from "../../services/project-records.ts";
import { doesNotExist, invalidParameter } from "./mlflow-error.ts";

const UUID = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/i;

/** A run id as MLflow clients send it (32 hex digits, or a dashed uuid) as the Labtrack uuid, or null. */
export function parseRunId(text: string): string | null {
  const m = UUID.exec(text.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase() : null;
}

/** A Labtrack run id as MLflow shows run ids: 32 hex digits. */
export function mlflowRunId(runId: string): string {
  return runId.replaceAll("-", "");
}

/** The Labtrack run a request names, checked to exist; MLflow's error codes otherwise. */
export async function requireRunId(services: Services, text: string): Promise<string> {
  const runId = parseRunId(text);
  if (!runId) throw invalidParameter(`Invalid run ID: '${text}'`);
  const row = await services.runs.findRow(runId);
  if (!row) throw doesNotExist(`Run with id=${text} not found`);
  return runId;
}

/** Experiment "0" is the default project; every other experiment id is a project id. */
export function experimentIdOf(project: ProjectRecord): string {
  return project.slug === DEFAULT_PROJECT_SLUG ? "0" : String(project.id);
}

export async function requireExperiment(services: Services, experimentId: string): Promise<ProjectRecord> {
  if (experimentId === "0") return services.projectRecords.defaultProject();
  if (!/^\d{1,9}$/.test(experimentId)) throw invalidParameter(`Invalid experiment ID: '${experimentId}'`);
  const found = await services.projectRecords.byId(Number(experimentId));
  if (!found) throw doesNotExist(`No Experiment with id=${experimentId} exists`);
  return found;
}
