import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { dashboardDir } from "./tracker-server.ts";

/** The runner is started as its operators start it (`src/main.ts`), from its own folder. */
const gpuRunnerDir = path.resolve(dashboardDir, "../gpu-runner");

export interface RunnerProcess {
  output: () => string;
  stop(): Promise<void>;
}

/** A gpu-runner agent with one CPU slot, no GPU probing, talking to `url` with a runner token. */
export async function startRunner(url: string, token: string, name: string): Promise<RunnerProcess> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-e2e-runner-"));
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: gpuRunnerDir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? workDir,
      LABTRACK_URL: url,
      LABTRACK_TOKEN: token,
      LABTRACK_RUNNER_NAME: name,
      LABTRACK_RUNNER_SLOTS: "1",
      LABTRACK_RUNNER_GPUS: "none",
      LABTRACK_RUNNER_WORK_DIR: workDir,
      LABTRACK_RUNNER_BACKENDS: "cpu",
      LABTRACK_NVIDIA_SMI: "/nonexistent/nvidia-smi",
      LABTRACK_RUNNER_CLAIM_WAIT_MS: "2000",
      LABTRACK_RUNNER_GRACE_MS: "2000",
      LABTRACK_RUNNER_KILL_GRACE_MS: "1000",
      LABTRACK_LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    output: () => output,
    async stop() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
