import { z } from "zod";
import { pgText } from "./pg-text.ts";

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A distillation teacher that is another run: its exported model, fetched by the runner. */
export function teacherRunId(teacher: string): string | null {
  return RUN_ID.test(teacher) ? teacher.toLowerCase() : null;
}

/**
 * Teacher-student distillation (seed 002): the student learns from the labels and from a trained
 * teacher's temperature-softened outputs, computed once per training image.
 */
export const distillationOptions = z
  .object({
    teacher: pgText()
      .refine((t) => teacherRunId(t) !== null || /^tfjs:.+/.test(t), {
        message: "must be a run id (its exported model is used) or tfjs:<model folder>",
      })
      .describe(
        "The teacher: a run id (that run's exported `model/` artifact, fetched by the runner) or " +
          "`tfjs:<folder>` (a tfjs LayersModel on the runner host that outputs one probability or logit per class).",
      ),
    alpha: z
      .number()
      .min(0)
      .max(1)
      .default(0.7)
      .describe("Weight of the hard-label loss; the teacher's soft targets get 1 - alpha (seed 002: 0.7)."),
    temperature: z
      .number()
      .positive()
      .max(100)
      .default(2)
      .describe(
        "Softens both models' outputs before they are compared; the soft loss is scaled by T² (seed 002: 2).",
      ),
  })
  .describe("Teacher-student distillation; unset trains on the labels alone.");

export type DistillationOptions = z.output<typeof distillationOptions>;
