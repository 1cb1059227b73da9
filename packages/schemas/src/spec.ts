import { z } from "zod";
import { pgText } from "./pg-text.ts";
import { imageClassifierSpec } from "./spec-image-classifier.ts";

const envName = pgText().regex(
  /^[A-Za-z_][A-Za-z0-9_]*$/,
  "must be a valid environment variable name (letters, digits, '_')",
);

/**
 * A command line run on the runner host, in a fresh per-run working directory, with the run's id,
 * the server URL, a token and `LABTRACK_ARTIFACTS_DIR` in its environment.
 */
export const commandSpec = z.object({
  kind: z.literal("command"),
  command: z
    .union([
      pgText().trim().min(1, "must not be empty"),
      z.array(pgText()).min(1, "must name a program").max(1000),
    ])
    .describe(
      "A shell command line (run with `/bin/sh -c`), or an argv array run without a shell: " +
        '`["python3", "train.py", "--lr", "0.01"]`.',
    ),
  cwd: pgText()
    .min(1)
    .max(4096)
    .optional()
    .describe(
      "Directory to run in: an absolute path on the runner host, or a path relative to the run's own " +
        "working directory (the default).",
    ),
  env: z
    .record(envName, pgText().max(32 * 1024))
    .default({})
    .describe(
      "Extra environment variables; the runner's LABTRACK_*, MLFLOW_TRACKING_URI/TOKEN, MLFLOW_RUN_ID, " +
        "MLFLOW_EXPERIMENT_ID and CUDA_VISIBLE_DEVICES win.",
    ),
  timeout_seconds: z
    .int()
    .positive()
    .max(30 * 24 * 3600)
    .optional()
    .describe("Stop the command (SIGTERM, then SIGKILL) and fail the run after this many seconds."),
  watch: z
    .array(pgText().trim().min(1, "must not be empty").max(4096))
    .max(64)
    .optional()
    .describe(
      "More places whose training logs become the run's metrics, besides the working folder's " +
        "TensorBoard event files: folders (event files below them) and globs (`logs/*.csv` for CSV " +
        "logs), relative to the command's working folder or absolute. Keys are `<folder relative to the entry>/<tag>`.",
    ),
});
export type CommandSpec = z.output<typeof commandSpec>;
export type CommandSpecInput = z.input<typeof commandSpec>;

/** What a queued run executes: the built-in image classifier or a command line. */
export const experimentSpec = z.discriminatedUnion("kind", [commandSpec, imageClassifierSpec]);
export type ExperimentSpec = z.output<typeof experimentSpec>;
export type ExperimentSpecInput = z.input<typeof experimentSpec>;
