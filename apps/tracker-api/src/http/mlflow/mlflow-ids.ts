import type { ProjectAccess } from "@labtrack/schemas";
import type { Services } from "../../services/index.ts";
import { DEFAULT_PROJECT_SLUG, type ProjectRecord } from "../../services/project-records.ts";
import type { Caller } from "../../trpc.ts";
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

/** Who asks, and through which services: what the id checks below need. */
export interface Asker {
  services: Services;
  caller: Caller;
}

/** The Labtrack run a request names, checked to exist and to be the caller's to use as `access` says. */
export async function requireRunId(ask: Asker, text: string, access: ProjectAccess): Promise<string> {
  const runId = parseRunId(text);
  if (!runId) throw invalidParameter(`Invalid run ID: '${text}'`);
  const row = await ask.services.runs.findRow(runId);
  if (!row) throw doesNotExist(`Run with id=${text} not found`);
  await ask.services.access.assertRun(ask.caller, runId, access, "run_id");
  return runId;
}

/** Experiment "0" is the default project; every other experiment id is a project id. */
export function experimentIdOf(project: ProjectRecord): string {
  return project.slug === DEFAULT_PROJECT_SLUG ? "0" : String(project.id);
}

async function findExperiment(services: Services, experimentId: string): Promise<ProjectRecord> {
  if (experimentId === "0") return services.projectRecords.defaultProject();
  if (!/^\d{1,9}$/.test(experimentId)) throw invalidParameter(`Invalid experiment ID: '${experimentId}'`);
  const found = await services.projectRecords.byId(Number(experimentId));
  if (!found) throw doesNotExist(`No Experiment with id=${experimentId} exists`);
  return found;
}

/** The experiment (project) an id names, checked to exist and to be the caller's to use. */
export async function requireExperiment(
  ask: Asker,
  experimentId: string,
  access: ProjectAccess,
): Promise<ProjectRecord> {
  const project = await findExperiment(ask.services, experimentId);
  ask.services.access.assertProject(ask.caller, project.slug, access, "experiment_id");
  return project;
}

/** Runs and tags go only into an active experiment: 400 INVALID_PARAMETER_VALUE, as MLflow's stores answer. */
export function assertExperimentActive(project: ProjectRecord): void {
  if (project.deletedAt) {
    throw invalidParameter(
      `The experiment ${experimentIdOf(project)} must be in the 'active' state. Current state is deleted.`,
    );
  }
}
