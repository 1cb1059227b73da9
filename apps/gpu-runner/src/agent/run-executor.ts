import { readdir } from "node:fs/promises";
import path from "node:path";
import type { S3Settings } from "@labtrack/s3";
import {
  type ClaimedRun,
  type ExperimentSpec,
  experimentSpec,
  type RunnerSlot,
  type RunnersReportInput,
} from "@labtrack/schemas";
import type { LabtrackTRPCClient } from "@labtrack/sdk";
import type { Logger } from "pino";
import { LogCapture } from "./log-capture.ts";
import type { OutboxEntry } from "./outbox.ts";
import { LaunchError, planLaunch, prepareRunDirs } from "./run-launch.ts";
import { RunOutput } from "./run-output.ts";
import { type ProcessExit, RunProcess, type StopReason } from "./run-process.ts";

export interface RunExecutorContext {
  run: ClaimedRun;
  slot: RunnerSlot;
  runnerId: string;
  runnerName: string;
  url: string;
  token: string;
  workRoot: string;
  baseEnv: Record<string, string>;
  s3: S3Settings;
  killGraceMs: number;
  trpc: LabtrackTRPCClient;
  append: (entry: OutboxEntry) => void;
  log: Logger;
}

type Outcome = RunnersReportInput["outcome"];

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

/** How a process ending maps to the run's final status. */
export function outcomeOf(
  exit: ProcessExit,
  lastStderr: string | null,
  timeoutMs: number | null,
): {
  outcome: Outcome | null;
  error?: string;
} {
  if (exit.spawnError) return { outcome: "failed", error: `could not start the command: ${exit.spawnError}` };
  switch (exit.stoppedFor) {
    case "cancel":
      return { outcome: "canceled" };
    case "timeout":
      return {
        outcome: "failed",
        error: `timed out after ${Math.round((timeoutMs ?? 0) / 1000)} s (spec.timeout_seconds)`,
      };
    case "shutdown":
      return { outcome: "requeue" };
    case "release":
      return { outcome: null };
  }
  if (exit.code === 0) return { outcome: "succeeded" };
  const how = exit.code !== null ? `exit code ${exit.code}` : `killed by ${exit.signal ?? "a signal"}`;
  return { outcome: "failed", error: lastStderr ? `${how}: ${lastStderr}` : how };
}

/**
 * Runs one claimed run to its end: work folder, process, output to the outbox, artifacts uploaded,
 * and the final report. `stop` ends it early (cancel, release, runner shutdown).
 */
export class RunExecutor {
  private process: RunProcess | null = null;
  private pendingStop: StopReason | null = null;
  readonly done: Promise<Outcome | null>;

  constructor(private readonly ctx: RunExecutorContext) {
    this.done = this.execute();
  }

  get runId(): string {
    return this.ctx.run.id;
  }

  get slot(): RunnerSlot {
    return this.ctx.slot;
  }

  stop(reason: StopReason, graceMs?: number): void {
    if (this.process) this.process.stop(reason, graceMs);
    else this.pendingStop ??= reason;
  }

  private report(outcome: Outcome, exitCode: number | null, error?: string): Outcome {
    this.ctx.append({
      t: "report",
      report: {
        runnerId: this.ctx.runnerId,
        runId: this.ctx.run.id,
        outcome,
        exitCode,
        ...(error && { error }),
      },
    });
    return outcome;
  }

  private async execute(): Promise<Outcome | null> {
    const { run, slot, log } = this.ctx;
    const dirs = await prepareRunDirs(this.ctx.workRoot, run);
    const output = new RunOutput({
      runId: run.id,
      attempt: run.attempt,
      artifactsDir: dirs.artifactsDir,
      append: this.ctx.append,
    });
    const parsed = experimentSpec.safeParse(run.spec);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `spec.${i.path.join(".")}: ${i.message}`).join("; ");
      output.system(`invalid spec: ${problems}`);
      output.flushLogs();
      return this.report("failed", null, `invalid spec: ${problems}`);
    }
    const spec: ExperimentSpec = parsed.data;
    let launch: Awaited<ReturnType<typeof planLaunch>>;
    try {
      launch = await planLaunch({ ...this.ctx, spec, dirs });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      output.system(`cannot start: ${message}`);
      output.flushLogs();
      if (!(error instanceof LaunchError))
        log.error({ err: error, runId: run.id }, "preparing the run failed");
      return this.report("failed", null, message);
    }
    const gpus = slot.gpuIndices.length > 0 ? `GPUs ${slot.gpuIndices.join(",")}` : "CPU";
    output.system(
      `${this.ctx.runnerName} slot ${slot.index} (${gpus}), attempt ${run.attempt}: ${launch.argv.join(" ")} in ${launch.cwd}`,
    );
    for (const note of launch.notes) output.system(note);
    let lastStderr: string | null = null;
    const child = new RunProcess({
      argv: launch.argv,
      cwd: launch.cwd,
      env: launch.env,
      killGraceMs: this.ctx.killGraceMs,
      onLine: (stream, line) => {
        if (stream === "stderr" && line.trim() !== "") lastStderr = line.trim().slice(0, 500);
        output.line(stream, line);
      },
    });
    this.process = child;
    // A command's TensorBoard event files and watched CSV logs become its metrics as they grow.
    const capture =
      spec.kind === "command"
        ? new LogCapture({
            cwd: launch.cwd,
            watch: spec.watch ?? [],
            send: (points) => this.ctx.append({ t: "metrics", runId: run.id, points, attempt: run.attempt }),
            note: (text) => output.system(text),
            log,
          })
        : null;
    capture?.start();
    if (this.pendingStop) child.stop(this.pendingStop);
    const timer =
      launch.timeoutMs !== null ? setTimeout(() => child.stop("timeout"), launch.timeoutMs) : null;
    const exit = await child.exited;
    if (timer) clearTimeout(timer);
    await capture?.stop();
    const { outcome, error } = outcomeOf(exit, lastStderr, launch.timeoutMs);
    log.info({ runId: run.id, exit, outcome }, "run process ended");
    if (outcome === null) {
      output.system("this runner no longer holds the run; its results are not reported");
      output.flushLogs();
      return null;
    }
    output.system(
      `process ended: ${exit.code !== null ? `exit code ${exit.code}` : `signal ${exit.signal}`} -> ${outcome}`,
    );
    // Whatever the command left in LABTRACK_ARTIFACTS_DIR (checkpoints included, so a handed-back run resumes).
    for (const relative of await listFiles(dirs.artifactsDir)) {
      const kind =
        output.reportedArtifacts.get(relative) ?? (relative.endsWith(".ckpt") ? "checkpoint" : "file");
      output.artifact(relative, kind);
    }
    output.flushLogs();
    return this.report(outcome, exit.code, error);
  }
}
