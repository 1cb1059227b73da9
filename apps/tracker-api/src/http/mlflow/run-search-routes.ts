import {
  compareMlflowRuns,
  decodeMlflowPageToken,
  encodeMlflowPageToken,
  type MlflowRunView,
  matchesMlflowRun,
  parseMlflowOrderBy,
  parseMlflowRunFilter,
} from "@labtrack/core";
import type { Run } from "@labtrack/schemas";
import { validateArtifactPath } from "../../services/artifacts.ts";
import type { ProjectRecord } from "../../services/project-records.ts";
import { listArtifactDirectory } from "./artifact-routes.ts";
import { labtrackMetricKey } from "./log-routes.ts";
import { invalidParameter } from "./mlflow-error.ts";
import { experimentIdOf, mlflowRunId, requireExperiment, requireRunId } from "./mlflow-ids.ts";
import type { MlflowCall } from "./mlflow-request.ts";
import {
  INPUTS_RESULT,
  metricView,
  mlflowStatusOf,
  runArtifactUri,
  runEndTime,
  runParams,
  runTags,
  runView,
} from "./mlflow-views.ts";
import {
  optionalInt,
  optionalString,
  type RequestFields,
  requiredString,
  stringList,
} from "./request-fields.ts";
import { projectOfRun, runIdField } from "./run-loading.ts";

const VIEW_TYPES = ["ACTIVE_ONLY", "DELETED_ONLY", "ALL"] as const;
type ViewType = (typeof VIEW_TYPES)[number];

export function viewTypeField(fields: RequestFields, name: string): ViewType {
  const raw = fields[name];
  if (raw === undefined || raw === null) return "ACTIVE_ONLY";
  const value = typeof raw === "number" ? VIEW_TYPES[raw - 1] : Array.isArray(raw) ? raw[0] : raw;
  if (typeof value === "string" && (VIEW_TYPES as readonly string[]).includes(value))
    return value as ViewType;
  throw invalidParameter(
    `Invalid value ${JSON.stringify(raw)} for parameter '${name}' supplied: expected one of ${VIEW_TYPES.join(", ")}`,
  );
}

export function keepsStage(viewType: ViewType, deleted: boolean): boolean {
  return viewType === "ALL" || (viewType === "DELETED_ONLY") === deleted;
}

function datasetsOf(run: Run): MlflowRunView["datasets"] {
  const inputs = run.results[INPUTS_RESULT];
  if (!Array.isArray(inputs)) return [];
  return inputs.flatMap((input) => {
    if (input === null || typeof input !== "object" || Array.isArray(input)) return [];
    const dataset = input.dataset as Record<string, unknown> | undefined;
    const tags = Array.isArray(input.tags) ? (input.tags as { key?: unknown; value?: unknown }[]) : [];
    const context = tags.find((t) => t.key === "mlflow.data.context")?.value;
    if (!dataset || typeof dataset.name !== "string" || typeof dataset.digest !== "string") return [];
    return [{ name: dataset.name, digest: dataset.digest, ...(typeof context === "string" && { context }) }];
  });
}

async function searchRuns(call: MlflowCall) {
  const experimentIds = stringList(call.fields, "experiment_ids");
  const maxResults = optionalInt(call.fields, "max_results") ?? 1000;
  if (maxResults < 1 || maxResults > 50_000) {
    throw invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most 50000, but got value ${maxResults}`,
    );
  }
  const viewType = viewTypeField(call.fields, "run_view_type");
  const filter = parseMlflowRunFilter(optionalString(call.fields, "filter") ?? "");
  const order = parseMlflowOrderBy(stringList(call.fields, "order_by"));
  const offset = decodeMlflowPageToken(optionalString(call.fields, "page_token"));
  const projects = new Map<number, ProjectRecord>();
  for (const id of experimentIds) {
    const project = await requireExperiment(call, id, "read");
    projects.set(project.id, project);
  }
  const bySlug = new Map([...projects.values()].map((p) => [p.slug, p]));
  const runs = (await call.services.runLookup.listInProjects([...projects.keys()])).filter((r) =>
    keepsStage(viewType, r.deletedAt !== null),
  );
  const latest = await call.services.metricHistory.latest(runs.map((r) => r.id));
  const views = runs.map((run) => {
    const project = bySlug.get(run.project)!;
    const view: MlflowRunView = {
      runId: mlflowRunId(run.id),
      runName: run.name,
      status: mlflowStatusOf(run.status),
      startTime: Date.parse(run.startedAt ?? run.createdAt),
      endTime: runEndTime(run),
      artifactUri: runArtifactUri(project, run.id),
      userId: run.keyValueTags["mlflow.user"] ?? "",
      experimentId: experimentIdOf(project),
      lifecycleStage: run.deletedAt ? "deleted" : "active",
      metrics: Object.fromEntries((latest.get(run.id) ?? []).map((p) => [p.key, p.value])),
      params: runParams(run),
      tags: runTags(run),
      datasets: datasetsOf(run),
    };
    return { run, project, view };
  });
  const compare = compareMlflowRuns(order);
  const page = views.filter((v) => matchesMlflowRun(filter, v.view)).sort((a, b) => compare(a.view, b.view));
  const slice = page.slice(offset, offset + maxResults);
  return {
    runs: slice.map((v) => runView(v.run, v.project, latest.get(v.run.id) ?? [])),
    ...(offset + maxResults < page.length && { next_page_token: encodeMlflowPageToken(offset + maxResults) }),
  };
}

async function metricHistory(call: MlflowCall) {
  const runId = await requireRunId(call, runIdField(call), "read");
  const key = labtrackMetricKey(requiredString(call.fields, "metric_key"));
  const maxResults = optionalInt(call.fields, "max_results");
  const offset = decodeMlflowPageToken(optionalString(call.fields, "page_token"));
  if (maxResults !== undefined && maxResults < 1) {
    throw invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied.`);
  }
  const limit = maxResults ?? Number.MAX_SAFE_INTEGER;
  const points = await call.services.metricHistory.history(
    runId,
    key,
    offset,
    maxResults === undefined ? 1e12 : limit + 1,
  );
  const hasMore = maxResults !== undefined && points.length > maxResults;
  return {
    metrics: points.slice(0, limit).map(metricView),
    ...(hasMore && { next_page_token: encodeMlflowPageToken(offset + limit) }),
  };
}

/** The tracking API's `artifacts/list` (MLflow's UI): a run's directory, paths relative to its root. */
async function listArtifacts(call: MlflowCall) {
  const runId = await requireRunId(call, runIdField(call), "read");
  const run = await call.services.runs.get(runId);
  const path = optionalString(call.fields, "path") ?? "";
  if (path !== "") {
    try {
      validateArtifactPath(path);
    } catch (error) {
      throw invalidParameter(`Invalid path: ${(error as Error).message}`);
    }
  }
  const files = await listArtifactDirectory(call.services, runId, path, false);
  return {
    root_uri: runArtifactUri(await projectOfRun(call.services, run), runId),
    files: files.map((f) => ({ ...f, path: path ? `${path}/${f.path}` : f.path })),
  };
}

export const runSearchRoutes = {
  "POST runs/search": searchRuns,
  "GET metrics/get-history": metricHistory,
  "GET artifacts/list": listArtifacts,
};
