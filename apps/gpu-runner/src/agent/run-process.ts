import { type ChildProcess, spawn } from "node:child_process";
import { LineSplitter } from "./run-output.ts";

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the runner stopped the process, and why. */
  stoppedFor: StopReason | null;
  /** The spawn itself failed (no such program, say). */
  spawnError: string | null;
}

export type StopReason = "cancel" | "timeout" | "release" | "shutdown";

export interface RunProcessOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  onLine: (stream: "stdout" | "stderr", line: string) => void;
  killGraceMs: number;
}

/**
 * A run's process in its own process group, so that stopping it also stops whatever it started
 * (a shell's children, data-loader workers): SIGTERM to the group, SIGKILL after the grace period.
 */
export class RunProcess {
  private readonly child: ChildProcess;
  private stoppedFor: StopReason | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  readonly exited: Promise<ProcessExit>;

  constructor(private readonly opts: RunProcessOptions) {
    const [program, ...args] = opts.argv;
    this.child = spawn(program!, args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out = new LineSplitter((line) => opts.onLine("stdout", line));
    const err = new LineSplitter((line) => opts.onLine("stderr", line));
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => out.push(chunk));
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => err.push(chunk));
    this.exited = new Promise((resolve) => {
      let spawnError: string | null = null;
      this.child.once("error", (error) => {
        spawnError = error.message;
        // 'close' does not always follow a failed spawn.
        if (this.child.pid === undefined)
          resolve({ code: null, signal: null, stoppedFor: this.stoppedFor, spawnError });
      });
      this.child.once("close", (code, signal) => {
        out.end();
        err.end();
        if (this.killTimer) clearTimeout(this.killTimer);
        resolve({ code, signal, stoppedFor: this.stoppedFor, spawnError });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  /** SIGTERM to the process group, SIGKILL if it is still there after the grace period. */
  stop(reason: StopReason, graceMs = this.opts.killGraceMs): void {
    if (this.stoppedFor === null) this.stoppedFor = reason;
    this.signalGroup("SIGTERM");
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => this.signalGroup("SIGKILL"), graceMs);
    this.killTimer.unref();
  }
}
