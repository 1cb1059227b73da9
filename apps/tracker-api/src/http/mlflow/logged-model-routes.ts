import { Readable } from "node:stream";
import { type Artifact, type JsonValue, type ProjectAccess, pgTextProblem } from "@labtrack/schemas";
import { listArtifactDirectory } from "./artifact-routes.ts";
import {
  LOGGED_MODEL_RECORD,
  loggedModelDir,
  newLoggedModelId,
  runOfLoggedModel,
} from "./logged-model-ids.ts";
import { doesNotExist, invalidParameter } from "./mlflow-error.ts";
import { experimentIdOf, mlflowRunId, requireExperiment, requireRunId } from "./mlflow-ids.ts";
import { type MlflowCall, textProblemIn } from "./mlflow-request.ts";
import { validateTag } from "./mlflow-validation.ts";
import { experimentArtifactLocation } from "./mlflow-views.ts";
import { keyValueList, optionalString, requiredString, stringList } from "./request-fields.ts";
import { assertActive } from "./run-loading.ts";

const STATUSES = [
  "LOGGED_MODEL_STATUS_UNSPECIFIED",
  "LOGGED_MODEL_PENDING",
  "LOGGED_MODEL_READY",
  "LOGGED_MODEL_UPLOAD_FAILED",
];

/** A logged model as kept in the `metadata` of its record artifact (`models/<id>/logged-model.json`). */
interface LoggedModelRecord {
  model_id: string;
  experiment_id: string;
  name: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  artifact_uri: string;
  status: string;
  model_type?: string;
  source_run_id: string;
  tags: Record<string, string>;
  params: Record<string, string>;
}

const pairs = (record: Record<string, string>) =>
  Object.entries(record).map(([key, value]) => ({ key, value }));

function modelView(record: LoggedModelRecord) {
  const { tags, params, ...info } = record;
  return { model: { info: { ...info, tags: pairs(tags) }, data: { params: pairs(params), metrics: [] } } };
}

/** Writes the record as its run's artifact of kind `model` (the JSON in the file and in its metadata). */
async function store(call: MlflowCall, runId: string, record: LoggedModelRecord): Promise<void> {
  const text = JSON.stringify(record, null, 2);
  await call.services.artifacts.upload({
    runId,
    uploader: { tokenId: call.caller.tokenId, scope: call.caller.scope },
    path: `${loggedModelDir(record.model_id)}/${LOGGED_MODEL_RECORD}`,
    kind: "model",
    contentType: "application/json",
    metadata: { mlflowLoggedModel: record as unknown as JsonValue },
    body: Readable.from([Buffer.from(text)]),
  });
}

/** Equal key/value records, whatever their key order (jsonb keeps its own). */
const sameEntries = (a: Record<string, string>, b: Record<string, string>) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

const recordOf = (artifact: Artifact) => artifact.metadata.mlflowLoggedModel as LoggedModelRecord;

/** A logged model by id, checked to exist and its run to be the caller's to use as `access` says. */
async function load(
  call: MlflowCall,
  modelId: string,
  access: ProjectAccess,
): Promise<{ runId: string; record: LoggedModelRecord }> {
  const runId = runOfLoggedModel(modelId);
  const artifact = runId
    ? await call.services.artifacts.find(runId, `${loggedModelDir(modelId)}/${LOGGED_MODEL_RECORD}`)
    : null;
  if (!runId || !artifact) throw doesNotExist(`Logged model with ID '${modelId}' not found.`);
  await call.services.access.assertRun(call.caller, runId, access, "model_id");
  return { runId, record: recordOf(artifact) };
}

async function create(call: MlflowCall) {
  const project = await requireExperiment(call, requiredString(call.fields, "experiment_id"), "write");
  const sourceRun = optionalString(call.fields, "source_run_id");
  if (!sourceRun) {
    throw invalidParameter(
      "source_run_id: Labtrack keeps a logged model as an artifact of its run; log the model inside mlflow.start_run().",
    );
  }
  const runId = await requireRunId(call, sourceRun, "write");
  const run = await call.services.runs.get(runId);
  assertActive(run);
  const tags = keyValueList(call.fields, "tags");
  for (const t of tags) validateTag(t.key, t.value);
  const modelId = newLoggedModelId(runId);
  const now = Date.now();
  const modelType = optionalString(call.fields, "model_type");
  const record: LoggedModelRecord = {
    model_id: modelId,
    experiment_id: experimentIdOf(project),
    name: optionalString(call.fields, "name") || `model-${modelId.slice(-8)}`,
    creation_timestamp_ms: now,
    last_updated_timestamp_ms: now,
    artifact_uri: `${experimentArtifactLocation(project)}/models/${modelId}/artifacts`,
    status: "LOGGED_MODEL_PENDING",
    ...(modelType && { model_type: modelType }),
    source_run_id: mlflowRunId(runId),
    tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
    params: Object.fromEntries(keyValueList(call.fields, "params").map((p) => [p.key, p.value])),
  };
  // A client that lost the answer sends the same request again: give it the model it already made.
  const twin = (await call.services.artifacts.listMatching([runId], `models/%/${LOGGED_MODEL_RECORD}`))
    .map(recordOf)
    .find(
      (m) =>
        m.status === "LOGGED_MODEL_PENDING" &&
        now - m.creation_timestamp_ms < 10 * 60_000 &&
        (optionalString(call.fields, "name") ?? "") !== "" &&
        m.name === record.name &&
        m.model_type === record.model_type &&
        sameEntries(m.tags, record.tags) &&
        sameEntries(m.params, record.params),
    );
  if (twin) return modelView(twin);
  await store(call, runId, record);
  return modelView(record);
}

async function update(call: MlflowCall, change: (record: LoggedModelRecord) => LoggedModelRecord) {
  const { runId, record } = await load(call, call.pathParams.model_id ?? "", "write");
  const next = { ...change(record), last_updated_timestamp_ms: Date.now() };
  await store(call, runId, next);
  return modelView(next);
}

function finalize(call: MlflowCall) {
  const raw = call.fields.status;
  const status = typeof raw === "number" ? STATUSES[raw] : raw;
  if (status !== "LOGGED_MODEL_READY" && status !== "LOGGED_MODEL_UPLOAD_FAILED") {
    throw invalidParameter(
      `Invalid value ${JSON.stringify(raw ?? null)} for parameter 'status' supplied: expected LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED`,
    );
  }
  return update(call, (record) => ({ ...record, status }));
}

function setTags(call: MlflowCall) {
  const tags = keyValueList(call.fields, "tags");
  for (const t of tags) validateTag(t.key, t.value);
  return update(call, (record) => ({
    ...record,
    tags: { ...record.tags, ...Object.fromEntries(tags.map((t) => [t.key, t.value])) },
  }));
}

async function deleteTag(call: MlflowCall) {
  const key = call.pathParams.tag_key ?? "";
  await update(call, (record) => {
    if (!(key in record.tags))
      throw doesNotExist(`No tag with key '${key}' on logged model ${record.model_id}`);
    const { [key]: _removed, ...tags } = record.tags;
    return { ...record, tags };
  });
  return {};
}

async function logParams(call: MlflowCall) {
  const params = keyValueList(call.fields, "params");
  await update(call, (record) => ({
    ...record,
    params: { ...record.params, ...Object.fromEntries(params.map((p) => [p.key, p.value])) },
  }));
  return {};
}

async function remove(call: MlflowCall) {
  const { runId, record } = await load(call, call.pathParams.model_id ?? "", "write");
  await call.services.artifacts.remove(runId, loggedModelDir(record.model_id));
  return {};
}

async function listArtifacts(call: MlflowCall) {
  const { runId, record } = await load(call, call.pathParams.model_id ?? "", "read");
  const sub = optionalString(call.fields, "artifact_directory_path") ?? "";
  const dir = sub ? `${loggedModelDir(record.model_id)}/${sub}` : loggedModelDir(record.model_id);
  return {
    root_uri: record.artifact_uri,
    files: await listArtifactDirectory(call.services, runId, dir, sub === ""),
  };
}

/** Logged models of the given experiments; only an empty filter is supported. */
async function search(call: MlflowCall) {
  const filter = optionalString(call.fields, "filter") ?? "";
  if (filter.trim() !== "") throw invalidParameter("filter: Labtrack's logged-model search takes no filter");
  const projects = await Promise.all(
    stringList(call.fields, "experiment_ids").map((id) => requireExperiment(call, id, "read")),
  );
  const runs = await call.services.runLookup.listInProjects(projects.map((p) => p.id));
  const artifacts = await call.services.artifacts.listMatching(
    runs.map((r) => r.id),
    `models/%/${LOGGED_MODEL_RECORD}`,
  );
  const models = artifacts.map(recordOf).sort((a, b) => b.creation_timestamp_ms - a.creation_timestamp_ms);
  return { models: models.map((m) => modelView(m).model) };
}

/** MLflow 2's `runs/log-model`: the MLmodel JSON goes to the `mlflow.log-model.history` tag, as MLflow does, and the model's files become artifacts of kind `model`. */
async function logModel2(call: MlflowCall) {
  const runId = await requireRunId(call, requiredString(call.fields, "run_id"), "write");
  const run = await call.services.runs.get(runId);
  assertActive(run);
  const text = requiredString(call.fields, "model_json");
  let model: Record<string, unknown>;
  try {
    model = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw invalidParameter("model_json: is not JSON");
  }
  if (model === null || typeof model !== "object" || Array.isArray(model)) {
    throw invalidParameter("model_json: must be a JSON object (an MLmodel's fields)");
  }
  // What the request's own check cannot see inside the string: NUL escapes, nesting too deep to store.
  const problem = textProblemIn({ model_json: model });
  if (problem) throw invalidParameter(problem);
  const history = (() => {
    try {
      const parsed = JSON.parse(run.keyValueTags["mlflow.log-model.history"] ?? "[]") as unknown;
      return Array.isArray(parsed) ? parsed : [];
    } catch {
      return [];
    }
  })();
  await call.services.runFields.apply(runId, {
    setKeyValueTags: { "mlflow.log-model.history": JSON.stringify([...history, model]) },
  });
  if (typeof model.artifact_path === "string" && model.artifact_path !== "") {
    await call.services.artifacts.setKindBelow(runId, model.artifact_path, "model");
  }
  return {};
}

export const loggedModelRoutes = {
  "POST logged-models": create,
  "POST logged-models/search": search,
  "POST runs/log-model": logModel2,
};

type Handler = (call: MlflowCall) => Promise<object>;

/** A path segment as text, or 400 naming the field it stands for (bad percent-encoding, NUL, ...). */
function pathParam(name: string, raw: string): string {
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    throw invalidParameter(
      `Invalid ${name} in the path: '${raw.slice(0, 250)}' is not valid percent-encoding`,
    );
  }
  const problem = pgTextProblem(text);
  if (problem) throw invalidParameter(`${name}: ${problem}`);
  return text;
}

/** Routes with the model id in the path (`logged-models/{model_id}[/...]`). */
export function matchLoggedModelPath(
  method: string,
  path: string,
): { handler: Handler; pathParams: Record<string, string> } | null {
  const m = /^logged-models\/([^/]+)(?:\/(tags|params|artifacts\/directories)(?:\/(.+))?)?$/.exec(path);
  if (!m?.[1] || m[1] === "search") return null;
  const tail = m[2];
  const table: Record<string, Handler> = {
    "GET ": (call) =>
      load(call, call.pathParams.model_id ?? "", "read").then(({ record }) => modelView(record)),
    "PATCH ": finalize,
    "DELETE ": remove,
    "PATCH tags": setTags,
    "DELETE tags": deleteTag,
    "POST params": logParams,
    "GET artifacts/directories": listArtifacts,
  };
  const handler = table[`${method} ${tail ?? ""}`];
  if (!handler || (tail === "tags" && method === "DELETE" && !m[3]) || (m[3] && tail !== "tags")) return null;
  const modelId = pathParam("model_id", m[1]);
  return { handler, pathParams: { model_id: modelId, ...(m[3] && { tag_key: pathParam("tag_key", m[3]) }) } };
}
