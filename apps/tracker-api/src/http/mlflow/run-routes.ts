import type { Run, RunStatus } from "@labtrack/schemas";
import { doesNotExist, invalidParameter } from "./mlflow-error.ts";
import { assertExperimentActive, requireExperiment } from "./mlflow-ids.ts";
import type { MlflowCall } from "./mlflow-request.ts";
import { validateTag } from "./mlflow-validation.ts";
import {
  END_TIME_TAG,
  MLFLOW_RUN_STATUSES,
  type MlflowRunStatus,
  mlflowStatusOf,
  runInfoView,
} from "./mlflow-views.ts";
import {
  keyValueList,
  optionalString,
  optionalTime,
  type RequestFields,
  requiredString,
} from "./request-fields.ts";
import { assertActive, fullRunView, projectOfRun, requestedRun } from "./run-loading.ts";
import { changesFromTags, checkedRunName } from "./system-tags.ts";

async function create(call: MlflowCall) {
  const project = await requireExperiment(call, optionalString(call.fields, "experiment_id") || "0", "write");
  assertExperimentActive(project);
  const tags = keyValueList(call.fields, "tags");
  for (const tag of tags) validateTag(tag.key, tag.value);
  const changes = changesFromTags(tags);
  const nameField = optionalString(call.fields, "run_name");
  const runName = nameField ? checkedRunName(nameField, "Value", "for parameter 'run_name'") : changes.name;
  const userId = optionalString(call.fields, "user_id");
  const keyValueTags = { ...(userId ? { "mlflow.user": userId } : {}), ...changes.setKeyValueTags };
  const startTime = optionalTime(call.fields, "start_time");
  const startedAt = startTime ?? new Date();
  // A client that lost the answer sends the same request again: give it the run it already made.
  const again =
    startTime === undefined
      ? null
      : await call.services.runLookup.findRecentTwin({
          project: project.slug,
          name: runName,
          startedAt,
          keyValueTags,
        });
  const run =
    again ??
    (await call.services.runs.insertNew(
      { project: project.slug, name: runName, tags: [], keyValueTags, notes: changes.notes ?? undefined },
      { status: "running", config: {}, startedAt, parentRunId: changes.parentRunId ?? null },
      { actor: call.caller.name, reason: "created through the MLflow API" },
    ));
  return { run: await fullRunView(call.services, run) };
}

async function get(call: MlflowCall) {
  return { run: await fullRunView(call.services, await requestedRun(call, "read")) };
}

function statusField(fields: RequestFields): MlflowRunStatus | undefined {
  const raw = fields.status;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "number") {
    const byNumber = MLFLOW_RUN_STATUSES[raw - 1];
    if (byNumber) return byNumber;
  }
  if (typeof raw === "string" && (MLFLOW_RUN_STATUSES as readonly string[]).includes(raw)) {
    return raw as MlflowRunStatus;
  }
  throw invalidParameter(
    `Invalid value ${JSON.stringify(raw)} for parameter 'status' supplied: expected one of ${MLFLOW_RUN_STATUSES.join(", ")}`,
  );
}

const TERMINAL: Partial<Record<MlflowRunStatus, RunStatus>> = {
  FINISHED: "succeeded",
  FAILED: "failed",
  KILLED: "canceled",
};

/** Ends an external run as MLflow asks; a run's runner, not its script, decides a queued run's status. */
async function endRun(call: MlflowCall, run: Run, status: MlflowRunStatus, endTime: Date): Promise<Run> {
  const target = TERMINAL[status];
  if (!target) return run;
  const runs = call.services.runs;
  const heldByRunner = run.queue !== null;
  if (heldByRunner) {
    await call.services.runFields.apply(run.id, {
      setKeyValueTags: { [END_TIME_TAG]: String(endTime.getTime()) },
    });
    return runs.get(run.id);
  }
  if (mlflowStatusOf(run.status) === status && run.status !== "running") return run;
  const changes = { finishedAt: endTime, leaseExpiresAt: null };
  const actor = call.caller.name;
  if (target === "canceled") {
    if (run.status === "running")
      await runs.transition(run.id, "canceling", { actor, reason: "killed (MLflow)" });
    return runs.transition(run.id, "canceled", { actor, reason: "killed (MLflow)", changes });
  }
  const to: RunStatus = run.status === "canceling" && target === "succeeded" ? "canceled" : target;
  return runs.transition(run.id, to, {
    actor,
    reason: target === "failed" ? "failed (MLflow)" : null,
    changes,
  });
}

async function update(call: MlflowCall) {
  let run = await requestedRun(call, "write");
  assertActive(run);
  const status = statusField(call.fields);
  const endTime = optionalTime(call.fields, "end_time");
  const name = optionalString(call.fields, "run_name");
  if (name) {
    await call.services.runFields.apply(run.id, {
      name: checkedRunName(name, "Value", "for parameter 'run_name'"),
    });
    run = await call.services.runs.get(run.id);
  }
  if (status) run = await endRun(call, run, status, endTime ?? new Date());
  return { run_info: runInfoView(run, await projectOfRun(call.services, run)) };
}

async function setDeleted(call: MlflowCall, deleted: boolean) {
  const run = await requestedRun(call, "write");
  await call.services.runFields.setDeleted(run.id, deleted);
  return {};
}

async function setTag(call: MlflowCall) {
  const run = await requestedRun(call, "write");
  assertActive(run);
  const key = requiredString(call.fields, "key");
  const value = optionalString(call.fields, "value") ?? "";
  validateTag(key, value);
  await call.services.runFields.apply(run.id, changesFromTags([{ key, value }]));
  return {};
}

async function deleteTag(call: MlflowCall) {
  const run = await requestedRun(call, "write");
  assertActive(run);
  const key = requiredString(call.fields, "key");
  if (key === "mlflow.note.content" && run.notes !== null) {
    await call.services.runFields.apply(run.id, { notes: null });
    return {};
  }
  if (!Object.hasOwn(run.keyValueTags, key)) {
    throw doesNotExist(`No tag with name: ${key} in run with id ${run.id.replaceAll("-", "")}`);
  }
  await call.services.runFields.apply(run.id, {
    deleteKeyValueTags: [key],
    ...(key === "mlflow.parentRunId" && { parentRunId: null }),
  });
  return {};
}

export const runRoutes = {
  "POST runs/create": create,
  "GET runs/get": get,
  "POST runs/update": update,
  "POST runs/delete": (call: MlflowCall) => setDeleted(call, true),
  "POST runs/restore": (call: MlflowCall) => setDeleted(call, false),
  "POST runs/set-tag": setTag,
  "POST runs/delete-tag": deleteTag,
};
