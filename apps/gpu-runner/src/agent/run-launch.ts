import { existsSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { S3Settings } from "@labtrack/s3";
import {
  type ClaimedRun,
  type ExperimentSpec,
  type Run,
  type RunnerSlot,
  teacherRunId,
} from "@labtrack/schemas";
import { downloadArtifact, type LabtrackTRPCClient } from "@labtrack/sdk";
import { resolveDataPath } from "./dataset-launch.ts";
import { fetchTeacherModel } from "./teacher-launch.ts";

/** The image-classifier recipe's entry point, run as a child process like any command. */
export const IMAGE_CLASSIFIER_MAIN = fileURLToPath(
  new URL("../recipes/image-classifier/main.ts", import.meta.url),
);

/** A spec the runner cannot start; the message names the field. */
export class LaunchError extends Error {}

export interface RunDirs {
  workDir: string;
  artifactsDir: string;
  resumeDir: string;
}

export async function prepareRunDirs(root: string, run: Pick<Run, "id" | "attempt">): Promise<RunDirs> {
  const workDir = path.join(root, "runs", run.id, `attempt-${run.attempt}`);
  const dirs = {
    workDir,
    artifactsDir: path.join(workDir, "artifacts"),
    resumeDir: path.join(workDir, "resume"),
  };
  await mkdir(dirs.artifactsDir, { recursive: true });
  return dirs;
}

export interface Launch {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number | null;
}

export interface LaunchContext {
  run: ClaimedRun;
  spec: ExperimentSpec;
  slot: RunnerSlot;
  dirs: RunDirs;
  url: string;
  token: string;
  baseEnv: Record<string, string>;
  trpc: LabtrackTRPCClient;
  /** The runner's work folder; datasets are cached under it. */
  workRoot: string;
  /** How to reach the buckets that `s3://` data paths name. */
  s3: S3Settings;
}

function runEnv(ctx: LaunchContext, extra: Record<string, string>): Record<string, string> {
  // The runner's own settings are not the run's business; inherited MLflow credentials
  // (MLFLOW_TRACKING_USERNAME/PASSWORD win over the token in the MLflow client) would log elsewhere.
  const inherited = Object.fromEntries(
    Object.entries(ctx.baseEnv).filter(([key]) => !key.startsWith("LABTRACK_") && !key.startsWith("MLFLOW_")),
  );
  return {
    ...inherited,
    ...extra,
    LABTRACK_URL: ctx.url,
    LABTRACK_TOKEN: ctx.token,
    LABTRACK_RUN_ID: ctx.run.id,
    LABTRACK_PROJECT: ctx.run.project,
    LABTRACK_ATTEMPT: String(ctx.run.attempt),
    LABTRACK_ARTIFACTS_DIR: ctx.dirs.artifactsDir,
    // The MLflow client (mlflow.start_run(), Lightning's MLFlowLogger) logs into this same run.
    MLFLOW_TRACKING_URI: ctx.url,
    MLFLOW_TRACKING_TOKEN: ctx.token,
    MLFLOW_RUN_ID: ctx.run.id.replaceAll("-", ""),
    MLFLOW_EXPERIMENT_ID: String(ctx.run.projectId),
    // An empty list hides every GPU from a CPU slot's run.
    CUDA_VISIBLE_DEVICES: ctx.slot.gpuIndices.join(","),
  };
}

/** Fetches the run's newest checkpoint (from an earlier attempt) into the resume folder. */
async function downloadLatestCheckpoint(ctx: LaunchContext): Promise<string | null> {
  const artifacts = await ctx.trpc.artifacts.list.query({ runId: ctx.run.id });
  const checkpoints = artifacts.filter((a) => a.kind === "checkpoint");
  checkpoints.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  const latest = checkpoints[0];
  if (!latest) return null;
  const bytes = await downloadArtifact({
    url: ctx.url,
    token: ctx.token,
    runId: ctx.run.id,
    path: latest.path,
  });
  const target = path.join(ctx.dirs.resumeDir, latest.path);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, bytes);
  return latest.path;
}

/** How to start the run's process: program and arguments, folder, environment, time limit. */
export async function planLaunch(ctx: LaunchContext): Promise<Launch & { notes: string[] }> {
  const { spec } = ctx;
  if (spec.kind === "command") {
    const cwd = spec.cwd ? path.resolve(ctx.dirs.workDir, spec.cwd) : ctx.dirs.workDir;
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
      throw new LaunchError(`spec.cwd: ${cwd} is not a directory on runner host`);
    }
    return {
      argv: typeof spec.command === "string" ? ["/bin/sh", "-c", spec.command] : spec.command,
      cwd,
      env: runEnv(ctx, spec.env),
      timeoutMs: spec.timeout_seconds ? spec.timeout_seconds * 1000 : null,
      notes: [],
    };
  }
  if (!existsSync(IMAGE_CLASSIFIER_MAIN)) {
    throw new LaunchError("spec.kind: this runner has no image-classifier recipe installed");
  }
  const notes: string[] = [];
  const data = await resolveDataPath(ctx, spec.data.path).catch((error: Error) => {
    throw new LaunchError(error.message);
  });
  if (data.note) notes.push(data.note);
  const verification = spec.verification
    ? await resolveDataPath(ctx, spec.verification.path, "spec.verification.path").catch((error: Error) => {
        throw new LaunchError(error.message);
      })
    : null;
  if (verification?.note) notes.push(verification.note);
  const teacherRun = spec.distillation ? teacherRunId(spec.distillation.teacher) : null;
  const teacherEnv: Record<string, string> = {};
  if (teacherRun) {
    const artifacts = {
      list: (runId: string) => ctx.trpc.artifacts.list.query({ runId, prefix: "model/" }),
      download: (runId: string, artifactPath: string) =>
        downloadArtifact({ url: ctx.url, token: ctx.token, runId, path: artifactPath }),
    };
    const teacher = await fetchTeacherModel(
      artifacts,
      teacherRun,
      path.join(ctx.dirs.workDir, "teacher"),
    ).catch((error: Error) => {
      throw new LaunchError(error.message);
    });
    teacherEnv.LABTRACK_TEACHER_DIR = teacher.dir;
    notes.push(
      `distillation teacher: run ${teacherRun}'s model (${teacher.files} files, ${teacher.bytes} bytes)`,
    );
  }
  await mkdir(ctx.dirs.resumeDir, { recursive: true });
  if (ctx.run.attempt > 1) {
    const resumed = await downloadLatestCheckpoint(ctx);
    notes.push(
      resumed
        ? `resuming from checkpoint ${resumed}`
        : "no checkpoint from earlier attempts; starting afresh",
    );
  }
  const specFile = path.join(ctx.dirs.workDir, "spec.json");
  await writeFile(specFile, JSON.stringify(spec, null, 2));
  // tsx as a loader keeps the recipe one process, so signals reach the trainer itself.
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return {
    argv: [process.execPath, "--import", tsxLoader, IMAGE_CLASSIFIER_MAIN],
    cwd: ctx.dirs.workDir,
    env: runEnv(ctx, {
      LABTRACK_SPEC_FILE: specFile,
      LABTRACK_RESUME_DIR: ctx.dirs.resumeDir,
      LABTRACK_DATASET_DIR: data.dir,
      ...(verification ? { LABTRACK_VERIFICATION_DIR: verification.dir } : {}),
      ...teacherEnv,
    }),
    timeoutMs: null,
    notes,
  };
}
