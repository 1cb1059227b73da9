import {
  compareMlflowExperiments,
  decodeMlflowPageToken,
  encodeMlflowPageToken,
  type MlflowExperimentView,
  matchesMlflowExperiment,
  parseMlflowExperimentFilter,
  parseMlflowExperimentOrderBy,
} from "@labtrack/core";
import { invalidParameter } from "./mlflow-error.ts";
import { experimentIdOf } from "./mlflow-ids.ts";
import type { MlflowCall } from "./mlflow-request.ts";
import { experimentView } from "./mlflow-views.ts";
import { optionalInt, optionalString, stringList } from "./request-fields.ts";
import { keepsStage, viewTypeField } from "./run-search-routes.ts";

const MAX_EXPERIMENTS_PER_PAGE = 50_000;

async function searchExperiments(call: MlflowCall) {
  const maxResults = optionalInt(call.fields, "max_results") ?? 1000;
  if (maxResults < 1 || maxResults > MAX_EXPERIMENTS_PER_PAGE) {
    throw invalidParameter(
      `Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${MAX_EXPERIMENTS_PER_PAGE}, but got value ${maxResults}`,
    );
  }
  const viewType = viewTypeField(call.fields, "view_type");
  const filter = parseMlflowExperimentFilter(optionalString(call.fields, "filter") ?? "");
  const order = parseMlflowExperimentOrderBy(stringList(call.fields, "order_by"));
  const offset = decodeMlflowPageToken(optionalString(call.fields, "page_token"));
  // Experiment "0" exists from the start, as in MLflow.
  await call.services.projectRecords.defaultProject();
  const projects = (await call.services.projectRecords.all()).filter(
    (p) =>
      keepsStage(viewType, p.deletedAt !== null) && call.services.access.allows(call.caller, p.slug, "read"),
  );
  const views = projects.map((project) => {
    const view: MlflowExperimentView = {
      experimentId: experimentIdOf(project),
      name: project.name,
      creationTime: project.createdAt.getTime(),
      lastUpdateTime: project.updatedAt.getTime(),
      lifecycleStage: project.deletedAt ? "deleted" : "active",
      tags: project.tags,
    };
    return { project, view };
  });
  const compare = compareMlflowExperiments(order);
  const matching = views
    .filter((v) => matchesMlflowExperiment(filter, v.view))
    .sort((a, b) => compare(a.view, b.view));
  return {
    experiments: matching.slice(offset, offset + maxResults).map((v) => experimentView(v.project)),
    ...(offset + maxResults < matching.length && {
      next_page_token: encodeMlflowPageToken(offset + maxResults),
    }),
  };
}

export const experimentSearchRoutes = {
  "POST experiments/search": searchExperiments,
  "GET experiments/search": searchExperiments,
};
