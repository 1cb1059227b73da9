import { z } from "zod";
import { jsonValue } from "./common.ts";

/** How a `min`/`max` parameter is drawn, as W&B's sweep.yaml names it. */
export const sweepDistribution = z.enum(["uniform", "log_uniform_values", "int_uniform", "q_uniform"]);
export type SweepDistribution = z.infer<typeof sweepDistribution>;

/** Range ends stay where their differences and steps are exact enough to sample. */
const bound = z.number().min(-1e15).max(1e15);

/**
 * One entry of a sweep's `parameters`, in W&B's shape: `values` (categorical), `value` (a constant),
 * or `min`/`max` with a `distribution` (`q` is the step of `q_uniform`). Without a distribution,
 * integer bounds mean `int_uniform` and other bounds `uniform`, as W&B infers it.
 */
export const sweepParameter = z
  .object({
    values: z.array(jsonValue).max(10_000).optional(),
    value: jsonValue.optional(),
    min: bound.optional(),
    max: bound.optional(),
    distribution: sweepDistribution.optional(),
    q: z.number().gt(0).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const kinds = [p.values !== undefined, p.value !== undefined, p.min !== undefined || p.max !== undefined];
    if (kinds.filter(Boolean).length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: "must have exactly one of values, value or min/max",
        path: [],
      });
      return;
    }
    if (p.values !== undefined && p.values.length === 0) {
      ctx.addIssue({ code: "custom", message: "must not be empty", path: ["values"] });
    }
    if (p.values === undefined && p.value === undefined) {
      if (p.min === undefined)
        ctx.addIssue({ code: "custom", message: "is required with max", path: ["min"] });
      if (p.max === undefined)
        ctx.addIssue({ code: "custom", message: "is required with min", path: ["max"] });
      if (p.min === undefined || p.max === undefined) return;
      if (p.min > p.max)
        ctx.addIssue({ code: "custom", message: "must not be greater than max", path: ["min"] });
      const distribution = p.distribution ?? inferDistribution(p.min, p.max);
      if (distribution === "log_uniform_values" && p.min <= 0) {
        ctx.addIssue({ code: "custom", message: "must be > 0 for log_uniform_values", path: ["min"] });
      }
      if (distribution === "int_uniform" && !(Number.isInteger(p.min) && Number.isInteger(p.max))) {
        ctx.addIssue({ code: "custom", message: "must be integers for int_uniform", path: ["min"] });
      }
      if (distribution === "q_uniform" && p.q === undefined) {
        ctx.addIssue({ code: "custom", message: "is required for q_uniform", path: ["q"] });
      }
    } else if (p.distribution !== undefined || p.q !== undefined) {
      ctx.addIssue({ code: "custom", message: "only goes with min/max", path: ["distribution"] });
    }
  });
export type SweepParameter = z.output<typeof sweepParameter>;

export function inferDistribution(min: number, max: number): SweepDistribution {
  return Number.isInteger(min) && Number.isInteger(max) ? "int_uniform" : "uniform";
}

/** A parameter in the one form the samplers use. */
export type SweepDimension =
  | { kind: "categorical"; choices: z.output<typeof jsonValue>[] }
  | { kind: "numeric"; distribution: SweepDistribution; min: number; max: number; q?: number };

export function sweepDimension(p: SweepParameter): SweepDimension {
  if (p.values !== undefined) return { kind: "categorical", choices: p.values };
  if (p.value !== undefined) return { kind: "categorical", choices: [p.value] };
  const min = p.min ?? 0;
  const max = p.max ?? min;
  const distribution = p.distribution ?? inferDistribution(min, max);
  return distribution === "q_uniform"
    ? { kind: "numeric", distribution, min, max, q: p.q ?? 1 }
    : { kind: "numeric", distribution, min, max };
}
