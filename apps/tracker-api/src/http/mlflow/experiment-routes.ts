import { TRPCError } from "@trpc/server";
import type { ProjectRecord } from "../../services/project-records.ts";
import { doesNotExist, invalidParameter, MlflowError } from "./mlflow-error.ts";
import { assertExperimentActive, requireExperiment } from "./mlflow-ids.ts";
import type { MlflowCall } from "./mlflow-request.ts";
import { validateExperimentName, validateExperimentTag } from "./mlflow-validation.ts";
import { experimentView } from "./mlflow-views.ts";
import { keyValueList, optionalString, requiredString } from "./request-fields.ts";

async function getByName(call: MlflowCall) {
  const name = requiredString(call.fields, "experiment_name");
  // A Labtrack project is also found by its slug (MLFLOW_EXPERIMENT_NAME=flowers finds project `flowers`).
  const records = call.services.projectRecords;
  const found =
    name === "Default"
      ? await records.defaultProject()
      : ((await records.byName(name)) ?? (await records.bySlug(name)));
  if (!found) throw doesNotExist(`Could not find experiment with name '${name}'`);
  call.services.access.assertProject(call.caller, found.slug, "read", "experiment_name");
  return { experiment: experimentView(found) };
}

async function create(call: MlflowCall) {
  const name = validateExperimentName(optionalString(call.fields, "name"));
  const tags = keyValueList(call.fields, "tags");
  for (const tag of tags) validateExperimentTag(tag.key, tag.value);
  const existing =
    name === "Default"
      ? await call.services.projectRecords.defaultProject()
      : await call.services.projectRecords.bySlug(name);
  if (existing) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment(name=${name}) already exists.`);
  try {
    const project = await call.services.projectRecords.createNamed({
      name,
      tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
    });
    // A project-limited token may make only a project it may write (the request is one transaction).
    call.services.access.assertProject(call.caller, project.slug, "write", "name");
    return { experiment_id: experimentView(project).experiment_id };
  } catch (error) {
    if (error instanceof TRPCError && error.code === "CONFLICT") {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment(name=${name}) already exists.`);
    }
    throw error;
  }
}

async function get(call: MlflowCall) {
  return {
    experiment: experimentView(
      await requireExperiment(call, requiredString(call.fields, "experiment_id"), "read"),
    ),
  };
}

async function update(call: MlflowCall) {
  const project = await requireExperiment(call, requiredString(call.fields, "experiment_id"), "write");
  const newName = optionalString(call.fields, "new_name");
  if (newName === undefined || newName === "") return {};
  validateExperimentName(newName);
  if (project.deletedAt) {
    throw new MlflowError("INVALID_STATE", "Cannot rename a non-active experiment.");
  }
  try {
    await call.services.projectRecords.rename(project.id, newName);
  } catch (error) {
    if (error instanceof TRPCError && error.code === "CONFLICT") {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment(name=${newName}) already exists.`);
    }
    throw error;
  }
  return {};
}

async function setDeleted(call: MlflowCall, deleted: boolean) {
  const id = requiredString(call.fields, "experiment_id");
  if (deleted && id === "0")
    throw invalidParameter(
      "Cannot delete the default experiment '0'. This is an internally reserved experiment.",
    );
  const project: ProjectRecord = await requireExperiment(call, id, "write");
  await call.services.projectRecords.setDeleted(project.id, deleted);
  return {};
}

async function setTag(call: MlflowCall) {
  const project = await requireExperiment(call, requiredString(call.fields, "experiment_id"), "write");
  const key = requiredString(call.fields, "key");
  const value = optionalString(call.fields, "value") ?? "";
  validateExperimentTag(key, value);
  assertExperimentActive(project);
  await call.services.projectRecords.setTags(project.id, { [key]: value });
  return {};
}

async function deleteTag(call: MlflowCall) {
  const project = await requireExperiment(call, requiredString(call.fields, "experiment_id"), "write");
  const key = requiredString(call.fields, "key");
  if (!Object.hasOwn(project.tags, key))
    throw doesNotExist(`No tag with name: ${key} in experiment with id ${project.id}`);
  await call.services.projectRecords.deleteTag(project.id, key);
  return {};
}

export const experimentRoutes = {
  "GET experiments/get-by-name": getByName,
  "POST experiments/create": create,
  "GET experiments/get": get,
  "POST experiments/update": update,
  "POST experiments/delete": (call: MlflowCall) => setDeleted(call, true),
  "POST experiments/restore": (call: MlflowCall) => setDeleted(call, false),
  "POST experiments/set-experiment-tag": setTag,
  "POST experiments/delete-experiment-tag": deleteTag,
};
