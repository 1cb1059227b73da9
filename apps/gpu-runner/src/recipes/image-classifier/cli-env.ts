import { z } from "zod";
import { backendChoices } from "../../backends/select-backend.ts";

const optionalPath = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== "" ? value : undefined));

/** The recipe CLI's contract with the runner that spawns it. */
export const cliEnv = z.object({
  LABTRACK_SPEC_FILE: z.string().min(1, "LABTRACK_SPEC_FILE must name the spec JSON file"),
  LABTRACK_ARTIFACTS_DIR: z.string().min(1, "LABTRACK_ARTIFACTS_DIR must name the artifacts folder"),
  /** A folder holding the run's last checkpoint after a re-queue; empty or unset starts afresh. */
  LABTRACK_RESUME_DIR: optionalPath,
  /** The local folder of a `dataset:` reference, resolved by the runner; overrides `data.path`. */
  LABTRACK_DATASET_DIR: optionalPath,
  /** The local folder of `verification.path` (metric learning), resolved by the runner likewise. */
  LABTRACK_VERIFICATION_DIR: optionalPath,
  /** The distillation teacher run's exported model, fetched by the runner. */
  LABTRACK_TEACHER_DIR: optionalPath,
  /** Forces one tfjs backend instead of the best one present. */
  LABTRACK_TFJS_BACKEND: z.enum(backendChoices).optional(),
});
export type CliEnv = z.infer<typeof cliEnv>;
