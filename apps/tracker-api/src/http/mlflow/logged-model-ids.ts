import { randomBytes } from "node:crypto";
import { parseRunId } from "./mlflow-ids.ts";

/**
 * Logged-model ids carry their run: `m-<run id, 32 hex><8 random hex>`, so a model's run is found
 * without a table of its own (a logged model is an artifact of kind `model` of its run).
 */
export function newLoggedModelId(runId: string): string {
  return `m-${runId.replaceAll("-", "")}${randomBytes(4).toString("hex")}`;
}

export function runOfLoggedModel(modelId: string): string | null {
  const m = /^m-([0-9a-f]{32})[0-9a-f]{8}$/.exec(modelId);
  return m?.[1] ? parseRunId(m[1]) : null;
}

/** Where a model's files and record live among its run's artifacts. */
export const loggedModelDir = (modelId: string) => `models/${modelId}`;
export const LOGGED_MODEL_RECORD = "logged-model.json";
