/** What MLflow's run search sees of a run (`RunInfo` + latest metrics, params, tags, inputs). */
export interface MlflowRunView {
  runId: string;
  runName: string;
  status: string;
  /** Milliseconds since the epoch. */
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  userId: string;
  experimentId: string;
  lifecycleStage: "active" | "deleted";
  /** Latest value per key; may be NaN or ±Infinity. */
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Logged dataset inputs (`datasets.name` / `.digest` / `.context` filters); none when absent. */
  datasets?: MlflowDatasetView[];
}

export interface MlflowDatasetView {
  name: string;
  digest: string;
  /** The `mlflow.data.context` input tag (`train`, `eval`, ...), when set. */
  context?: string;
}

/** A run attribute by MLflow's name (`start_time`, `run_id`, ...); `null` when unset. */
export function mlflowRunAttribute(run: MlflowRunView, key: string): string | number | null {
  switch (key) {
    case "run_id":
      return run.runId;
    case "run_name":
      return run.runName;
    case "status":
      return run.status;
    case "start_time":
      return run.startTime;
    case "end_time":
      return run.endTime;
    case "artifact_uri":
      return run.artifactUri;
    case "user_id":
      return run.userId;
    default:
      return null;
  }
}

/** `own` lookup, so that a key such as `constructor` is just a missing key. */
export function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
