import type { TimedPoint } from "@labtrack/core";
import type { JsonValue } from "@labtrack/schemas";
import { ParamConflictError } from "../../services/run-fields.ts";
import { invalidParameter } from "./mlflow-error.ts";
import type { MlflowCall } from "./mlflow-request.ts";
import {
  MLFLOW_LIMITS,
  validateBatchLimit,
  validateEntityName,
  validateLength,
  validateParam,
  validateTag,
} from "./mlflow-validation.ts";
import { invalidField, keyValueList, objectList, type RequestFields } from "./request-fields.ts";
import { assertActive, requestedRun } from "./run-loading.ts";
import { changesFromTags } from "./system-tags.ts";
import { doubleFromWire, int64FromWire } from "./wire-numbers.ts";

/** Labtrack metric keys have no whitespace (MLflow's may have spaces): each becomes '_'. */
export function labtrackMetricKey(key: string): string {
  return key.replace(/\s/g, "_");
}

/** One metric of a request, checked as MLflow's _validate_metric does. */
function readMetric(item: RequestFields): TimedPoint {
  const key = item.key;
  if (typeof key !== "string" || key === "") {
    throw invalidParameter(`Metric name cannot be None. A key name must be provided.`);
  }
  validateEntityName("metric", key);
  const value = item.value === undefined ? null : doubleFromWire(item.value);
  if (value === null) {
    throw invalidParameter(
      `Got invalid value ${JSON.stringify(item.value ?? null)} for metric '${key}' (timestamp=${String(item.timestamp)}). Please specify value as a valid double (64-bit floating point)`,
    );
  }
  const timestamp = item.timestamp === undefined ? 0 : int64FromWire(item.timestamp);
  if (timestamp === null || timestamp < 0) {
    throw invalidParameter(
      `Got invalid timestamp ${JSON.stringify(item.timestamp)} for metric '${key}' (value=${value}). Timestamp must be a nonnegative long (64-bit integer) `,
    );
  }
  const step = item.step === undefined || item.step === null ? 0 : int64FromWire(item.step);
  if (step === null) {
    throw invalidParameter(
      `Got invalid step ${JSON.stringify(item.step)} for metric '${key}' (value=${value}). Step must be a valid long (64-bit integer).`,
    );
  }
  validateLength("Metric name", MLFLOW_LIMITS.entityKeyLength, key);
  return { key: labtrackMetricKey(key), value, timeMs: timestamp, step };
}

function paramConflictMessage(runId: string, error: ParamConflictError): string {
  const first = error.conflicts[0];
  if (!first) return "Changing param values is not allowed.";
  return `Changing param values is not allowed. Param with key='${first.key}' was already logged with value='${first.stored}' for run ID='${runId.replaceAll("-", "")}'. Attempted logging new value '${first.given}'.`;
}

/**
 * Everything of a batch is checked before anything is stored; params and tags are then written in
 * one statement, metrics through the same ingest as metrics.log (see MetricRelogService).
 */
async function logAll(
  call: MlflowCall,
  batch: {
    metrics: TimedPoint[];
    params: { key: string; value: string }[];
    tags: { key: string; value: string }[];
  },
) {
  const run = await requestedRun(call, "write");
  assertActive(run);
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const p of batch.params) {
    if (seen.has(p.key)) dupes.push(p.key);
    seen.add(p.key);
  }
  if (dupes.length > 0) {
    throw invalidParameter(
      `Duplicate parameter keys have been submitted: [${dupes.map((k) => `'${k}'`).join(", ")}]. Please ensure the request contains only one param value per param key.`,
    );
  }
  if (batch.params.length > 0 || batch.tags.length > 0) {
    const changes = changesFromTags(batch.tags);
    try {
      await call.services.runFields.apply(run.id, {
        ...changes,
        params: Object.fromEntries(batch.params.map((p) => [p.key, p.value])),
      });
    } catch (error) {
      if (error instanceof ParamConflictError) throw invalidParameter(paramConflictMessage(run.id, error));
      throw error;
    }
  }
  if (batch.metrics.length > 0) await call.services.metricRelog.log(run.id, batch.metrics);
  return {};
}

async function logBatch(call: MlflowCall) {
  if (call.bodyBytes > MLFLOW_LIMITS.batchRequestBytes) {
    throw invalidParameter(
      `Batched logging API requests must be at most ${MLFLOW_LIMITS.batchRequestBytes} bytes, got a request of size ${call.bodyBytes}.`,
    );
  }
  const metricItems = objectList(call.fields, "metrics");
  const params = keyValueList(call.fields, "params");
  const tags = keyValueList(call.fields, "tags");
  const metrics = metricItems.map((item) => readMetric(item));
  for (const p of params) validateParam(p.key, p.value);
  for (const t of tags) validateTag(t.key, t.value);
  validateBatchLimit("metrics", MLFLOW_LIMITS.metricsPerBatch, metrics.length);
  validateBatchLimit("params", MLFLOW_LIMITS.paramsTagsPerBatch, params.length);
  validateBatchLimit("tags", MLFLOW_LIMITS.paramsTagsPerBatch, tags.length);
  validateBatchLimit(
    "metrics, params, and tags",
    MLFLOW_LIMITS.entitiesPerBatch,
    metrics.length + params.length + tags.length,
  );
  return logAll(call, { metrics, params, tags });
}

async function logMetric(call: MlflowCall) {
  return logAll(call, { metrics: [readMetric(call.fields)], params: [], tags: [] });
}

async function logParameter(call: MlflowCall) {
  const key = call.fields.key;
  if (typeof key !== "string" || key === "") throw invalidField("key", key ?? null);
  const value = call.fields.value ?? "";
  if (typeof value !== "string") throw invalidField("value", value);
  validateParam(key, value);
  return logAll(call, { metrics: [], params: [{ key, value }], tags: [] });
}

/** JSON with object keys sorted, so that a value reads the same before and after a jsonb round trip. */
function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as JsonValue)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Merges `items` into a list kept in the run's results, leaving out ones already there. */
async function appendResult(call: MlflowCall, runId: string, key: string, items: JsonValue[]) {
  const run = await call.services.runs.get(runId);
  const current = Array.isArray(run.results[key]) ? (run.results[key] as JsonValue[]) : [];
  const known = new Set(current.map(canonicalJson));
  const added = items.filter((item) => !known.has(canonicalJson(item)));
  if (added.length > 0) await call.services.runs.setResults(runId, { [key]: [...current, ...added] });
}

/** Datasets (`log-inputs`) are kept as the run result `mlflow.inputs`, as MLflow's DatasetInput JSON. */
async function logInputs(call: MlflowCall) {
  const run = await requestedRun(call, "write");
  assertActive(run);
  const datasets = objectList(call.fields, "datasets").map((input, i) => {
    const dataset = input.dataset;
    if (dataset === null || typeof dataset !== "object" || Array.isArray(dataset)) {
      throw invalidParameter(`Missing value for required parameter 'datasets[${i}].dataset'.`);
    }
    const fields = dataset as RequestFields;
    for (const name of ["name", "digest", "source_type", "source"]) {
      if (typeof fields[name] !== "string") {
        throw invalidParameter(`Missing value for required parameter 'datasets[${i}].dataset.${name}'.`);
      }
    }
    return { tags: keyValueList(input, "tags"), dataset: fields } as unknown as JsonValue;
  });
  await appendResult(call, run.id, "mlflow.inputs", datasets);
  return {};
}

/** MLflow 3's `runs/outputs`: the models a run produced, kept as the run result `mlflow.outputs`. */
async function logOutputs(call: MlflowCall) {
  const run = await requestedRun(call, "write");
  assertActive(run);
  const models = objectList(call.fields, "models").map((m, i) => {
    if (typeof m.model_id !== "string" || m.model_id === "") {
      throw invalidParameter(`Missing value for required parameter 'models[${i}].model_id'.`);
    }
    const step = m.step === undefined ? 0 : int64FromWire(m.step);
    if (step === null) throw invalidField(`models[${i}].step`, m.step);
    return { model_id: m.model_id, step };
  });
  await appendResult(call, run.id, "mlflow.outputs", models);
  return {};
}

export const logRoutes = {
  "POST runs/log-batch": logBatch,
  "POST runs/log-metric": logMetric,
  "POST runs/log-parameter": logParameter,
  "POST runs/log-inputs": logInputs,
  "POST runs/outputs": logOutputs,
};
