import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { S3Settings } from "@labtrack/s3";
import { queueName, runnerLabel, runnerName, tfjsBackend } from "@labtrack/schemas";
import { z } from "zod";

const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== ""),
    )
    .pipe(z.array(item));

const envSchema = z.object({
  LABTRACK_URL: z.url("must be the tracker's URL, e.g. http://tracker:8420"),
  LABTRACK_TOKEN: z.string().min(1, "must be a runner token (tokens.create with scope runner)"),
  LABTRACK_RUNNER_NAME: runnerName.optional(),
  LABTRACK_RUNNER_QUEUES: list(queueName),
  LABTRACK_RUNNER_LABELS: list(runnerLabel),
  /** CPU slots when the host has no GPU (or GPUs are ignored). */
  LABTRACK_RUNNER_SLOTS: z.coerce.number().int().min(1).max(256).optional(),
  /** `all` (default), `none`, or a comma-separated list of GPU indices this runner may use. */
  LABTRACK_RUNNER_GPUS: z.string().default("all"),
  /** GPUs per slot (a slot runs one run at a time). */
  LABTRACK_RUNNER_GPUS_PER_SLOT: z.coerce.number().int().min(1).max(64).default(1),
  LABTRACK_RUNNER_WORK_DIR: z.string().optional(),
  /** tfjs backends to advertise, skipping the probe (e.g. `cpu,wasm`). */
  LABTRACK_RUNNER_BACKENDS: list(tfjsBackend),
  LABTRACK_NVIDIA_SMI: z.string().default("nvidia-smi"),
  /** How long running work may finish after SIGTERM before it is handed back to the queue. */
  LABTRACK_RUNNER_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  /** Between SIGTERM and SIGKILL when a run is canceled or stopped. */
  LABTRACK_RUNNER_KILL_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** Long-poll length of one claim. */
  LABTRACK_RUNNER_CLAIM_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(20_000),
  LABTRACK_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** For specs whose data.path is `s3://…`: an S3-compatible server (MinIO, …) instead of AWS. */
  LABTRACK_S3_ENDPOINT: z
    .url({ protocol: /^https?$/, error: "must be the S3 server's http(s) URL, e.g. http://minio:9000" })
    .optional(),
  AWS_REGION: z.string().min(1).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
});

export interface RunnerConfig {
  url: string;
  token: string;
  name: string;
  queues: string[];
  labels: string[];
  cpuSlots: number;
  gpus: "all" | "none" | number[];
  gpusPerSlot: number;
  workDir: string;
  backends: z.infer<typeof tfjsBackend>[] | null;
  nvidiaSmi: string;
  graceMs: number;
  killGraceMs: number;
  claimWaitMs: number;
  logLevel: z.infer<typeof envSchema>["LABTRACK_LOG_LEVEL"];
  /** How to reach the buckets that `s3://` data paths name. */
  s3: S3Settings;
  /** The environment handed on to the runs' processes (before the LABTRACK_* variables are set). */
  childEnv: Record<string, string>;
}

const USAGE = `usage: gpu-runner [--name NAME] [--queues a,b] [--labels x,y] [--slots N] [--gpus all|none|0,1] [--work-dir DIR]
environment: LABTRACK_URL and LABTRACK_TOKEN (a runner token) are required; every flag has a
LABTRACK_RUNNER_* variable (NAME, QUEUES, LABELS, SLOTS, GPUS, WORK_DIR).`;

/** Reads flags and the environment: the only place in the runner that looks at either. */
export function readRunnerConfig(
  argv: readonly string[] = process.argv.slice(2),
  source: NodeJS.ProcessEnv = process.env,
): RunnerConfig {
  const { values } = parseArgs({
    // `pnpm --filter @labtrack/gpu-runner start -- --name x` hands the script a leading `--`, which
    // would otherwise end option parsing and make every flag an unexpected positional.
    args: argv[0] === "--" ? argv.slice(1) : [...argv],
    options: {
      name: { type: "string" },
      queues: { type: "string" },
      labels: { type: "string" },
      slots: { type: "string" },
      gpus: { type: "string" },
      "work-dir": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) throw new Error(USAGE);
  const merged = {
    ...source,
    ...(values.name !== undefined && { LABTRACK_RUNNER_NAME: values.name }),
    ...(values.queues !== undefined && { LABTRACK_RUNNER_QUEUES: values.queues }),
    ...(values.labels !== undefined && { LABTRACK_RUNNER_LABELS: values.labels }),
    ...(values.slots !== undefined && { LABTRACK_RUNNER_SLOTS: values.slots }),
    ...(values.gpus !== undefined && { LABTRACK_RUNNER_GPUS: values.gpus }),
    ...(values["work-dir"] !== undefined && { LABTRACK_RUNNER_WORK_DIR: values["work-dir"] }),
  };
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid runner configuration: ${problems}\n${USAGE}`);
  }
  const env = parsed.data;
  const gpuText = env.LABTRACK_RUNNER_GPUS.trim();
  let gpus: RunnerConfig["gpus"];
  if (gpuText === "all" || gpuText === "none") gpus = gpuText;
  else {
    gpus = gpuText.split(",").map((part) => Number(part.trim()));
    if (gpus.some((i) => !Number.isInteger(i) || i < 0)) {
      throw new Error(
        `invalid runner configuration: LABTRACK_RUNNER_GPUS: '${gpuText}' is not all, none or 0,1,...`,
      );
    }
  }
  if ((env.AWS_ACCESS_KEY_ID === undefined) !== (env.AWS_SECRET_ACCESS_KEY === undefined)) {
    throw new Error(
      "invalid runner configuration: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: set both or neither (neither: the AWS SDK's own credential chain)",
    );
  }
  const name = env.LABTRACK_RUNNER_NAME ?? os.hostname().replace(/[^A-Za-z0-9._-]/g, "-");
  const childEnv = Object.fromEntries(
    Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    url: env.LABTRACK_URL.replace(/\/+$/, ""),
    token: env.LABTRACK_TOKEN,
    name,
    queues: env.LABTRACK_RUNNER_QUEUES.length > 0 ? env.LABTRACK_RUNNER_QUEUES : ["default"],
    labels: env.LABTRACK_RUNNER_LABELS,
    cpuSlots: env.LABTRACK_RUNNER_SLOTS ?? 1,
    gpus,
    gpusPerSlot: env.LABTRACK_RUNNER_GPUS_PER_SLOT,
    workDir: path.resolve(env.LABTRACK_RUNNER_WORK_DIR ?? path.join(os.homedir(), ".labtrack-runner", name)),
    backends: env.LABTRACK_RUNNER_BACKENDS.length > 0 ? env.LABTRACK_RUNNER_BACKENDS : null,
    nvidiaSmi: env.LABTRACK_NVIDIA_SMI,
    graceMs: env.LABTRACK_RUNNER_GRACE_MS,
    killGraceMs: env.LABTRACK_RUNNER_KILL_GRACE_MS,
    claimWaitMs: env.LABTRACK_RUNNER_CLAIM_WAIT_MS,
    logLevel: env.LABTRACK_LOG_LEVEL,
    s3: {
      endpoint: env.LABTRACK_S3_ENDPOINT,
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
    },
    childEnv,
  };
}
