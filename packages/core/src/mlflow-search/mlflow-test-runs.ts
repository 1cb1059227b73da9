import type { MlflowRunView } from "./mlflow-run-view.ts";

/** A run with MLflow-ish defaults, for tests. */
export function mlflowRun(overrides: Partial<MlflowRunView> & { runId: string }): MlflowRunView {
  return {
    runName: overrides.runId,
    status: "FINISHED",
    startTime: 0,
    endTime: 1,
    artifactUri: `mlflow-artifacts:/0/${overrides.runId}/artifacts`,
    userId: "user-id",
    experimentId: "0",
    lifecycleStage: "active",
    metrics: {},
    params: {},
    tags: {},
    ...overrides,
  };
}
