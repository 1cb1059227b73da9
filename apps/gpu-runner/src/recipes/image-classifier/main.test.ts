import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseReportLine, type ReportLine } from "@labtrack/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeClassFolderDataset } from "../../../test/synthetic-shapes.ts";

const mainPath = fileURLToPath(new URL("./main.ts", import.meta.url));
const packageDir = fileURLToPath(new URL("../../..", import.meta.url));
let workDir = "";

interface CliRun {
  code: number | null;
  reports: ReportLine[];
  stdout: string[];
  stderr: string;
}

/**
 * Runs the CLI as the runner does. `killWhen` sees each report and may return a signal to send
 * (once); every `@labtrack` line must parse.
 */
function runCli(env: Record<string, string>, killWhen?: (report: ReportLine) => NodeJS.Signals | null) {
  return new Promise<CliRun>((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", mainPath], {
      cwd: packageDir,
      env: { ...process.env, LABTRACK_TFJS_BACKEND: "wasm", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const run: CliRun = { code: null, reports: [], stdout: [], stderr: "" };
    let signalled = false;
    let pending = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        run.stdout.push(line);
        const report = parseReportLine(line);
        if (!report) continue;
        run.reports.push(report);
        const signal = signalled ? null : (killWhen?.(report) ?? null);
        if (signal) {
          signalled = true;
          child.kill(signal);
        }
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      run.stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      run.code = code ?? (signal === "SIGKILL" ? 137 : null);
      resolve(run);
    });
  });
}

const metricSteps = (run: CliRun) =>
  run.reports.filter((r) => Object.keys(r.metrics).length > 0).map((r) => r.step);

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-image-classifier-cli-"));
  await writeClassFolderDataset(path.join(workDir, "data"), ["circle", "square", "triangle"], 12);
  await writeFile(
    path.join(workDir, "spec.json"),
    JSON.stringify({
      kind: "image-classifier",
      data: { path: "dataset:shapes@1" },
      model: { backbone: "scratch_cnn", input_size: 32 },
      phases: [
        { epochs: 3, learning_rate: 3e-3, trainable: "all" },
        { epochs: 2, learning_rate: 1e-3, trainable: { last_n_layers: 2 } },
      ],
      batch_size: 4,
      augmentation: { enabled: false },
      early_stopping: { enabled: false },
    }),
  );
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("image-classifier CLI", () => {
  it("fails with a clear message when the spec is invalid", async () => {
    await writeFile(path.join(workDir, "bad.json"), JSON.stringify({ kind: "image-classifier", data: {} }));
    const run = await runCli({
      LABTRACK_SPEC_FILE: path.join(workDir, "bad.json"),
      LABTRACK_ARTIFACTS_DIR: path.join(workDir, "bad-artifacts"),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/invalid spec .*data\.path/);
  }, 60_000);

  it("checkpoints on SIGTERM (exit 143), survives a kill, and resumes to the end", async () => {
    const artifacts = (n: number) => path.join(workDir, `attempt-${n}`);
    const env = (n: number) => ({
      LABTRACK_SPEC_FILE: path.join(workDir, "spec.json"),
      LABTRACK_DATASET_DIR: path.join(workDir, "data"),
      LABTRACK_ARTIFACTS_DIR: artifacts(n),
    });
    const isCheckpoint = (report: ReportLine) => report.artifact?.kind === "checkpoint";

    // SIGTERM once the first epoch's checkpoint is out: the CLI stops at a batch boundary.
    const first = await runCli(env(1), (report) => (isCheckpoint(report) ? "SIGTERM" : null));
    expect(first.code, first.stderr).toBe(143);
    expect(first.stderr).toContain("stopped on request");
    expect(first.reports.find((r) => r.results)?.results?.backend).toBe("wasm");
    const firstCheckpoint = path.join(artifacts(1), "checkpoints", "last.ckpt");
    expect(existsSync(firstCheckpoint)).toBe(true);

    // Resume, then die without warning after the next checkpoint (as a lost host would).
    const second = await runCli(
      { ...env(2), LABTRACK_RESUME_DIR: path.join(artifacts(1), "checkpoints") },
      (report) => (isCheckpoint(report) ? "SIGKILL" : null),
    );
    expect(second.code).toBe(137);
    expect(second.stdout.some((line) => line.startsWith("resuming from"))).toBe(true);
    expect(metricSteps(second)[0]).toBeGreaterThanOrEqual(1);

    const third = await runCli({ ...env(3), LABTRACK_RESUME_DIR: path.join(artifacts(2), "checkpoints") });
    expect(third.code, third.stderr).toBe(0);
    const steps = metricSteps(third);
    expect(steps[0]).toBeGreaterThanOrEqual(2);
    expect(steps.at(-1)).toBe(4);
    const summary = third.reports.findLast((r) => r.results?.epochs_run !== undefined)?.results;
    expect(summary?.epochs_run).toBe(5);
    expect(third.reports.some((r) => r.artifact?.path === "model/model.json")).toBe(true);
    expect(existsSync(path.join(artifacts(3), "model", "inference_config.json"))).toBe(true);
  }, 180_000);
});
