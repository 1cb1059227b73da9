import { z } from "zod";
import { type JsonValue, jsonObject, projectSlug, runId } from "./common.ts";
import { pgText } from "./pg-text.ts";
import { runRequirements } from "./queue.ts";
import { runGroup } from "./run.ts";
import { queueName } from "./runner.ts";
import { experimentSpec } from "./spec.ts";
import { dottedSegments, placeholderNames, schemaHasPath, withDottedKey } from "./spec-path.ts";
import { sweepDimension, sweepParameter } from "./sweep-parameter.ts";

export const sweepMethod = z.enum(["grid", "random", "bayes"]);
export type SweepMethod = z.infer<typeof sweepMethod>;

export const sweepMetric = z
  .object({
    name: pgText().min(1).max(250).describe("The metric key the sweep optimises (`val/accuracy`)."),
    goal: z.enum(["minimize", "maximize"]).default("minimize"),
    summary: z
      .enum(["last", "min", "max"])
      .default("last")
      .describe(
        "Which of the run's values of the metric is its result: the last, the lowest or the highest.",
      ),
  })
  .strict();
export type SweepMetric = z.output<typeof sweepMetric>;

export const sweepEarlyTerminate = z
  .object({
    type: z.literal("hyperband"),
    min_iter: z
      .int()
      .min(1)
      .max(1_000_000)
      .describe("Step of the first rung; later rungs at min_iter * eta^k."),
    eta: z.int().min(2).max(100).default(3).describe("Only the top 1/eta of the runs at a rung go on."),
  })
  .strict();

export const parameterName = pgText()
  .min(1)
  .max(250)
  .regex(
    /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
    "must be letters, digits, '_' or '-', dotted for nested keys",
  );

/** The fields of a sweep.yaml without the cross-field checks (for forms built from the schema). */
export const sweepConfigFields = z
  .object({
    name: runGroup.describe("The sweep's name; its runs get it as their group."),
    description: pgText().max(10_000).optional(),
    method: sweepMethod,
    metric: sweepMetric,
    parameters: z
      .record(parameterName, sweepParameter)
      .refine((p) => Object.keys(p).length > 0, "must name at least one parameter")
      .refine((p) => Object.keys(p).length <= 64, "at most 64 parameters"),
    early_terminate: sweepEarlyTerminate.optional(),
    run_cap: z
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe("Most runs the sweep starts (grid: at most its size)."),
    concurrency: z.int().min(1).max(1000).default(1).describe("Most of its runs queued or running at once."),
    seed: z
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0)
      .describe("Seeds random and bayes sampling."),
    spec: jsonObject.describe("The base experiment spec; parameters are set into it by their dotted keys."),
    queue: queueName.default("default"),
    requirements: runRequirements.prefault({}),
    priority: z.int().min(-1000).max(1000).default(0),
  })
  .strict();

/** Every combination of a grid has to be listed, so grids stay finite and small. */
export const MAX_GRID_SIZE = 10_000;

function specStrings(spec: unknown): string[] {
  if (typeof spec !== "object" || spec === null) return [];
  const s = spec as { command?: unknown; env?: unknown };
  const command = typeof s.command === "string" ? [s.command] : Array.isArray(s.command) ? s.command : [];
  const env = typeof s.env === "object" && s.env !== null ? Object.values(s.env) : [];
  return [...command, ...env].filter((x): x is string => typeof x === "string");
}

/**
 * A sweep as `sweep.yaml` writes it: W&B's keys (`name`, `method`, `metric`, `parameters`,
 * `early_terminate`, `run_cap`) plus Labtrack's `spec`, `concurrency`, `queue` and `requirements`.
 * Each parameter must be a dotted key of the spec (set there before the spec is validated) or, for a
 * `command` spec, a `${name}` placeholder of its command or env.
 */
export const sweepConfig = sweepConfigFields.superRefine((c, ctx) => {
  const base = experimentSpec.safeParse(c.spec);
  if (!base.success) {
    for (const issue of base.error.issues) {
      ctx.addIssue({ code: "custom", message: issue.message, path: ["spec", ...issue.path] });
    }
    return;
  }
  const placeholders = new Set(
    c.spec.kind === "command" ? specStrings(c.spec).flatMap(placeholderNames) : [],
  );
  let spec: JsonValue = base.data as JsonValue;
  let gridSize = 1;
  for (const [name, p] of Object.entries(c.parameters)) {
    const dim = sweepDimension(p);
    if (placeholders.has(name)) continue;
    if (!schemaHasPath(experimentSpec, dottedSegments(name), base.data)) {
      ctx.addIssue({
        code: "custom",
        message:
          c.spec.kind === "command"
            ? `is neither a key of the spec nor a \${${name}} placeholder in its command or env`
            : "is not a key of the spec",
        path: ["parameters", name],
      });
      continue;
    }
    const example = dim.kind === "categorical" ? dim.choices[0] : dim.min;
    spec = withDottedKey(spec, name, example as JsonValue);
  }
  for (const [name, p] of Object.entries(c.parameters)) {
    const dim = sweepDimension(p);
    if (c.method !== "grid") continue;
    if (dim.kind === "categorical") gridSize *= dim.choices.length;
    else if (dim.distribution === "int_uniform") gridSize *= dim.max - dim.min + 1;
    else if (dim.distribution === "q_uniform" && dim.q)
      gridSize *= Math.floor((dim.max - dim.min) / dim.q + 1e-9) + 1;
    else {
      ctx.addIssue({
        code: "custom",
        message: "a grid needs values, int_uniform or q_uniform",
        path: ["parameters", name],
      });
    }
  }
  if (c.method === "grid" && gridSize > MAX_GRID_SIZE) {
    ctx.addIssue({
      code: "custom",
      message: `a grid of ${gridSize} combinations is over ${MAX_GRID_SIZE}`,
      path: ["parameters"],
    });
  }
  if (c.method !== "grid" && c.run_cap === undefined) {
    ctx.addIssue({ code: "custom", message: "is required for random and bayes sweeps", path: ["run_cap"] });
  }
  // Each value a parameter can take is tried in the spec (the others at their first value).
  for (const [name, p] of Object.entries(c.parameters)) {
    if (placeholders.has(name) || !schemaHasPath(experimentSpec, dottedSegments(name), base.data)) continue;
    const dim = sweepDimension(p);
    const tries: [JsonValue, PropertyKey[]][] =
      dim.kind === "categorical"
        ? dim.choices.slice(0, 100).map((v, i) => [v, p.values ? ["values", i] : ["value"]])
        : [
            [dim.min, ["min"]],
            [dim.max, ["max"]],
            // A float inside the range, so that a uniform range over an integer field is refused.
            ...(dim.distribution === "uniform" || dim.distribution === "log_uniform_values"
              ? [[dim.min + (dim.max - dim.min) * 0.37, ["distribution"]] as [JsonValue, PropertyKey[]]]
              : []),
          ];
    for (const [value, where] of tries) {
      const result = experimentSpec.safeParse(withDottedKey(spec, name, value));
      if (!result.success) {
        const issue = result.error.issues[0];
        ctx.addIssue({
          code: "custom",
          message: issue ? `${issue.path.join(".")}: ${issue.message}` : "makes the spec invalid",
          path: ["parameters", name, ...where],
        });
        break;
      }
    }
  }
});
export type SweepConfig = z.output<typeof sweepConfig>;
export type SweepConfigInput = z.input<typeof sweepConfig>;

export const sweepStatus = z.enum(["running", "paused", "finished", "canceled"]);
export type SweepStatus = z.infer<typeof sweepStatus>;

export const sweepId = z.uuid();

export const sweepsCreateInput = z.object({ project: projectSlug, config: sweepConfig });
export const sweepsGetInput = z.object({ sweepId });
export const sweepsListInput = z
  .object({ project: projectSlug.optional(), limit: z.int().min(1).max(1000).default(100) })
  .prefault({});
export const sweepsControlInput = z.object({ sweepId });

/** The runs of a sweep by where they stand; `pruned` are the canceled ones early termination stopped. */
export const sweepProgress = z.object({
  queued: z.number(),
  running: z.number(),
  finished: z.number(),
  failed: z.number(),
  pruned: z.number(),
  canceled: z.number(),
  budget: z.number(),
});
export type SweepProgress = z.infer<typeof sweepProgress>;

export const sweepRunEntry = z.object({
  runId,
  name: z.string(),
  status: z.string(),
  index: z.number(),
  params: z.record(z.string(), z.custom<JsonValue>()),
  goal: z.number().nullable(),
  pruned: z.boolean(),
  finishedAt: z.string().nullable(),
});
export type SweepRunEntry = z.infer<typeof sweepRunEntry>;

export const sweep = z.object({
  id: sweepId,
  project: z.string(),
  name: z.string(),
  method: sweepMethod,
  status: sweepStatus,
  config: z.custom<SweepConfig>(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  progress: sweepProgress,
});
export type Sweep = z.infer<typeof sweep>;
