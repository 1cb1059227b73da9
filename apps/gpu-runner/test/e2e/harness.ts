import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { QueueEnqueueInput } from "@labtrack/schemas";
import {
  callProcedure,
  type DbKind,
  dataOf,
  startTestServer,
  type TestServer,
} from "@labtrack/tracker-api/test-support";

const RUNNER_MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
/** tsx as a loader, so the runner is one process and SIGKILL really kills it (the tsx CLI forks). */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** Fast heartbeats; a lease long enough that a busy two-core machine never loses a live runner's run. */
export const FAST_QUEUE = { leaseMs: 10_000, heartbeatMs: 300, reaperIntervalMs: 200 };
/** For tests that kill a runner: its run is lost about 2.5 s after its last heartbeat. */
export const SHORT_LEASE = { ...FAST_QUEUE, leaseMs: 2_500 };

export function startFastServer(kind: DbKind, opts: Parameters<typeof startTestServer>[1] = {}) {
  return startTestServer(kind, { queueSettings: FAST_QUEUE, ...opts });
}

export async function runnerToken(server: TestServer): Promise<string> {
  return (await server.services.tokens.create(`runner-${Math.random().toString(36).slice(2, 8)}`, "runner"))
    .token;
}

export interface RunnerProcess {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** A real gpu-runner process (as `pnpm start` runs it), CPU slots, no nvidia-smi. */
export function spawnRunner(
  url: string,
  token: string,
  name: string,
  env: Record<string, string> = {},
): RunnerProcess {
  const workDir = mkdtempSync(path.join(os.tmpdir(), `runner-${name}-`));
  const child = spawn(process.execPath, ["--import", TSX_LOADER, RUNNER_MAIN], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: os.tmpdir(),
      LABTRACK_URL: url,
      LABTRACK_TOKEN: token,
      LABTRACK_RUNNER_NAME: name,
      LABTRACK_RUNNER_WORK_DIR: workDir,
      LABTRACK_RUNNER_BACKENDS: "cpu",
      LABTRACK_NVIDIA_SMI: "/nonexistent/nvidia-smi",
      LABTRACK_RUNNER_CLAIM_WAIT_MS: "5000",
      LABTRACK_RUNNER_KILL_GRACE_MS: "1000",
      LABTRACK_LOG_LEVEL: process.env.LABTRACK_TEST_LOG_LEVEL ?? "warn",
      ...env,
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
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name, child, output: () => output, exited };
}

export async function stopRunner(runner: RunnerProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (runner.child.exitCode !== null || runner.child.signalCode !== null) return;
  runner.child.kill(signal);
  await runner.exited;
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export type RunView = {
  id: string;
  status: string;
  runner: string | null;
  attempt: number;
  error: string | null;
};

export function api(server: { url: string; adminToken: string }) {
  const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);
  return {
    call,
    enqueue: async (input: Omit<QueueEnqueueInput, "project"> & { project?: string }) =>
      dataOf<RunView>(await call("queue.enqueue", { project: "e2e", ...input })),
    run: async (runId: string) => dataOf<RunView>(await call("runs.get", { runId }, "query")),
    events: async (runId: string) =>
      dataOf<{ at: string; from: string | null; to: string; actor: string; reason: string | null }[]>(
        await call("runs.events", { runId }, "query"),
      ),
    logs: async (runId: string) =>
      dataOf<{ lines: { seq: number; stream: string; text: string }[] }>(
        await call("logs.tail", { runId, limit: 10_000 }, "query"),
      ).lines,
  };
}
