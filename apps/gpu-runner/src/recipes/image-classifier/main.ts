import { readFile } from "node:fs/promises";
import { imageClassifierSpec } from "@labtrack/schemas";
import { selectBestBackend } from "../../backends/select-backend.ts";
import { cliEnv } from "./cli-env.ts";
import { runImageClassifier } from "./run-image-classifier.ts";
import { createLineReporter } from "./run-reporter.ts";
import { TrainingInterrupted } from "./training-loop.ts";

/**
 * The image-classifier recipe as a child process of the runner: the spec comes from
 * LABTRACK_SPEC_FILE, artifacts go to LABTRACK_ARTIFACTS_DIR, reports are `@labtrack {...}` lines on
 * stdout. SIGTERM stops at the next batch boundary with a checkpoint and exit code 143.
 */
const EXIT_TERMINATED = 143;

let stopRequested = false;
process.on("SIGTERM", () => {
  stopRequested = true;
});
process.on("SIGINT", () => {
  stopRequested = true;
});

const writeLine = (line: string) => process.stdout.write(`${line}\n`);
const fail = (message: string, code: number) => {
  process.stderr.write(`image-classifier: ${message}\n`);
  process.exitCode = code;
};

async function main(): Promise<void> {
  const envResult = cliEnv.safeParse(process.env);
  if (!envResult.success) {
    throw new Error(
      envResult.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "),
    );
  }
  const env = envResult.data;
  const specJson: unknown = JSON.parse(await readFile(env.LABTRACK_SPEC_FILE, "utf8"));
  const parsed = imageClassifierSpec.safeParse(specJson);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid spec in ${env.LABTRACK_SPEC_FILE}: ${issues.join("; ")}`);
  }
  const spec = parsed.data;
  const datasetDir = env.LABTRACK_DATASET_DIR ?? spec.data.path;
  if (datasetDir.startsWith("dataset:")) {
    throw new Error(`${datasetDir} must be resolved to a local folder (LABTRACK_DATASET_DIR) by the runner`);
  }
  const verificationDir = env.LABTRACK_VERIFICATION_DIR ?? spec.verification?.path;
  if (verificationDir && /^(dataset:|s3:\/\/)/.test(verificationDir)) {
    throw new Error(
      `${verificationDir} must be resolved to a local folder (LABTRACK_VERIFICATION_DIR) by the runner`,
    );
  }
  const backend = await selectBestBackend(
    env.LABTRACK_TFJS_BACKEND ? [env.LABTRACK_TFJS_BACKEND] : undefined,
  );
  const reporter = createLineReporter(writeLine);
  for (const skipped of backend.skipped)
    reporter.log(`backend ${skipped.choice} unavailable: ${skipped.reason}`);
  reporter.log(
    `using tfjs backend ${backend.choice}` +
      (backend.customKernels.length > 0 ? ` (custom kernels: ${backend.customKernels.join(", ")})` : ""),
  );
  reporter.results({ backend: backend.choice });
  await runImageClassifier({
    spec,
    datasetDir,
    verificationDir,
    artifactsDir: env.LABTRACK_ARTIFACTS_DIR,
    resumeDir: env.LABTRACK_RESUME_DIR,
    teacherDir: env.LABTRACK_TEACHER_DIR,
    reporter,
    shouldStop: () => stopRequested,
    backendName: backend.choice,
  });
}

try {
  await main();
} catch (error) {
  if (error instanceof TrainingInterrupted) {
    fail(`stopped on request; checkpoint: ${error.checkpointPath}`, EXIT_TERMINATED);
  } else {
    fail(error instanceof Error ? error.message : String(error), 1);
  }
}
