import {
  dottedSegments,
  type ExperimentSpec,
  experimentSpec,
  type JsonValue,
  type MetricSummary,
  PLACEHOLDER,
  type SweepConfig,
  schemaHasPath,
  withDottedKey,
} from "@labtrack/schemas";
import { mixSeed, seededUniform } from "./seeded-random.ts";
import { gridPoint, gridSize, type SweepParams, sampleRandom, sweepSpace } from "./sweep-space.ts";
import { type SweepTrial, sampleTpe } from "./tpe-sampler.ts";

/**
 * `text` with each `${name}` whose name is a parameter replaced by its value (strings as they are,
 * other values as JSON); any other `${...}` (a shell's `${HOME}`) is left alone.
 */
export function substitutePlaceholders(text: string, values: SweepParams): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (!Object.hasOwn(values, name)) return whole;
    const v = values[name] as JsonValue;
    return typeof v === "string" ? v : JSON.stringify(v);
  });
}

/**
 * The spec a sweep's run executes: the base spec with each parameter set at its dotted key (when it
 * is one) and, for a command spec, `${param}` replaced in the command's arguments and env. Throws a
 * ZodError when the result is not a valid spec.
 */
export function sweepRunSpec(config: Pick<SweepConfig, "spec">, params: SweepParams): ExperimentSpec {
  const base = experimentSpec.parse(config.spec);
  let spec = base as JsonValue;
  for (const [name, value] of Object.entries(params)) {
    if (schemaHasPath(experimentSpec, dottedSegments(name), base)) spec = withDottedKey(spec, name, value);
  }
  const parsed = experimentSpec.parse(spec);
  if (parsed.kind !== "command") return parsed;
  const sub = (s: string) => substitutePlaceholders(s, params);
  return experimentSpec.parse({
    ...parsed,
    command: typeof parsed.command === "string" ? sub(parsed.command) : parsed.command.map(sub),
    env: Object.fromEntries(Object.entries(parsed.env).map(([k, v]) => [k, sub(v)])),
  });
}

/** How many runs the sweep starts in all: its run_cap, and for a grid at most the grid's size. */
export function sweepBudget(config: Pick<SweepConfig, "method" | "parameters" | "run_cap">): number {
  if (config.method !== "grid") return config.run_cap ?? 0;
  const size = gridSize(sweepSpace(config.parameters));
  return Math.min(size, config.run_cap ?? size);
}

/**
 * The parameters of the sweep's `index`-th run (0-based): the grid's index-th combination, a random
 * draw seeded by (seed, index), or TPE over the trials so far with the same seeding — so a controller
 * that restarts asks for the same index and gets the same answer.
 */
export function nextSweepParams(
  config: Pick<SweepConfig, "method" | "parameters" | "seed" | "metric">,
  trials: SweepTrial[],
  index: number,
): SweepParams {
  const space = sweepSpace(config.parameters);
  const uniform = seededUniform(mixSeed(config.seed, index));
  if (config.method === "grid") return gridPoint(space, index);
  if (config.method === "random") return sampleRandom(space, uniform);
  return sampleTpe(space, trials, config.metric.goal, uniform);
}

/** A run's result for the sweep: its last, lowest or highest value of the metric (NaN as null). */
export function sweepGoalValue(
  summary: Record<string, MetricSummary> | undefined,
  metric: Pick<SweepConfig["metric"], "name" | "summary">,
): number | null {
  const s = summary?.[metric.name];
  if (!s) return null;
  const v = s[metric.summary];
  if (typeof v === "number") return v;
  if (v === "Infinity") return Number.POSITIVE_INFINITY;
  if (v === "-Infinity") return Number.NEGATIVE_INFINITY;
  return null;
}
