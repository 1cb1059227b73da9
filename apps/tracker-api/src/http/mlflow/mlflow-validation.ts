import { invalidParameter } from "./mlflow-error.ts";

/** Limits from MLflow's mlflow/utils/validation.py. */
export const MLFLOW_LIMITS = {
  metricsPerBatch: 1000,
  paramsTagsPerBatch: 100,
  entitiesPerBatch: 1000,
  batchRequestBytes: 1_000_000,
  entityKeyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
  experimentNameLength: 500,
  experimentTagValueLength: 5000,
} as const;

const VALID_NAME = /^[/\p{L}\p{N}\p{M}_.\- ]*$/u;
const BAD_CHARACTERS =
  "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).";

/** Python's posixpath.normpath. */
export function posixNormpath(path: string): string {
  if (path === "") return ".";
  const initialSlashes = path.startsWith("//") && !path.startsWith("///") ? 2 : path.startsWith("/") ? 1 : 0;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== ".." || (initialSlashes === 0 && parts.length === 0) || parts.at(-1) === "..")
      parts.push(part);
    else if (parts.length > 0) parts.pop();
  }
  const joined = "/".repeat(initialSlashes) + parts.join("/");
  return joined === "" ? "." : joined;
}

function pathNotUnique(name: string): boolean {
  const norm = posixNormpath(name);
  return norm !== name || norm === "." || norm.startsWith("..") || norm.startsWith("/");
}

/** `entity` is "metric", "parameter" or "tag", as in MLflow's messages. */
export function validateEntityName(entity: "metric" | "parameter" | "tag", name: string): void {
  if (!VALID_NAME.test(name)) throw invalidParameter(`Invalid ${entity} name: '${name}'. ${BAD_CHARACTERS}`);
  if (pathNotUnique(name)) {
    throw invalidParameter(
      `Invalid ${entity} name: '${name}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${posixNormpath(name)}'`,
    );
  }
}

export function validateLength(entityName: string, limit: number, value: string): void {
  if (value.length > limit) {
    throw invalidParameter(
      `${entityName} '${value.slice(0, 250)}' had length ${value.length}, which exceeded length limit of ${limit}`,
    );
  }
}

export function validateBatchLimit(entityName: string, limit: number, length: number): void {
  if (length > limit) {
    throw invalidParameter(
      `A batch logging request can contain at most ${limit} ${entityName}. Got ${length} ${entityName}. Please split up ${entityName} across multiple requests and try again.`,
    );
  }
}

export function validateTag(key: string, value: string): void {
  validateEntityName("tag", key);
  validateLength("Tag key", MLFLOW_LIMITS.entityKeyLength, key);
  validateLength("Tag value", MLFLOW_LIMITS.tagValueLength, value);
}

export function validateParam(key: string, value: string): void {
  validateEntityName("parameter", key);
  validateLength("Param key", MLFLOW_LIMITS.entityKeyLength, key);
  validateLength("Param value", MLFLOW_LIMITS.paramValueLength, value);
}

export function validateExperimentName(name: string | undefined): string {
  if (name === undefined || name === "") throw invalidParameter(`Invalid experiment name: '${name ?? ""}'`);
  if (name.length > MLFLOW_LIMITS.experimentNameLength) {
    throw invalidParameter(
      `Experiment name exceeds the maximum length of ${MLFLOW_LIMITS.experimentNameLength} characters`,
    );
  }
  return name;
}

export function validateExperimentTag(key: string, value: string): void {
  validateEntityName("tag", key);
  validateLength("Tag key", MLFLOW_LIMITS.entityKeyLength, key);
  validateLength("Tag value", MLFLOW_LIMITS.experimentTagValueLength, value);
}
