import type { ProjectAccess, Run } from "@labtrack/schemas";
import type { Services } from "../../services/index.ts";
import type { ProjectRecord } from "../../services/project-records.ts";
import { invalidParameter } from "./mlflow-error.ts";
import { requireRunId } from "./mlflow-ids.ts";
import type { MlflowCall } from "./mlflow-request.ts";
import { runView } from "./mlflow-views.ts";
import { optionalString } from "./request-fields.ts";

/** The run id of a request: `run_id`, or the deprecated `run_uuid` older clients send. */
export function runIdField(call: MlflowCall): string {
  const text = optionalString(call.fields, "run_id") || optionalString(call.fields, "run_uuid");
  if (!text)
    throw invalidParameter(
      "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
    );
  return text;
}

export async function projectOfRun(services: Services, run: Run): Promise<ProjectRecord> {
  const project = await services.projectRecords.bySlug(run.project);
  if (!project) throw new Error(`run ${run.id} has no project ${run.project}`);
  return project;
}

/** The run a request names, checked to exist. */
export async function requestedRun(call: MlflowCall, access: ProjectAccess): Promise<Run> {
  return call.services.runs.get(await requireRunId(call, runIdField(call), access));
}

/** Writes need an active run, as MLflow's stores check. */
export function assertActive(run: Run): void {
  if (run.deletedAt) {
    throw invalidParameter(
      `The run ${run.id.replaceAll("-", "")} must be in the 'active' state. Current state is deleted.`,
    );
  }
}

export async function fullRunView(services: Services, run: Run) {
  const [project, latest] = await Promise.all([
    projectOfRun(services, run),
    services.metricHistory.latest([run.id]),
  ]);
  return runView(run, project, latest.get(run.id) ?? []);
}
