import { type JsonValue, type SweepDimension, type SweepParameter, sweepDimension } from "@labtrack/schemas";
import type { Uniform } from "./seeded-random.ts";

/** A sweep's parameters in a stable order (by name: stored JSON does not keep key order). */
export type SweepSpace = { name: string; dimension: SweepDimension }[];
export type SweepParams = Record<string, JsonValue>;

export function sweepSpace(parameters: Record<string, SweepParameter>): SweepSpace {
  return Object.keys(parameters)
    .sort()
    .map((name) => ({ name, dimension: sweepDimension(parameters[name] as SweepParameter) }));
}

/** Drops floating-point noise (0.1 + 0.2) from values built by steps. */
const tidy = (x: number) => Number(x.toPrecision(12));

type NumericDimension = Extract<SweepDimension, { kind: "numeric" }>;

/** The step and the number of values of a stepped dimension (`int_uniform`, `q_uniform`). */
export function stepsOf(d: NumericDimension): { step: number; count: number } {
  const step = d.distribution === "int_uniform" ? 1 : (d.q ?? 1);
  return { step, count: Math.floor((d.max - d.min) / step + 1e-9) + 1 };
}

/** The k-th value of a stepped dimension (clamped to its range), without listing them all. */
export function steppedValue(d: NumericDimension, k: number): number {
  const { step, count } = stepsOf(d);
  return tidy(d.min + Math.min(count - 1, Math.max(0, k)) * step);
}

/** The values of a stepped dimension, lowest first. */
export function steppedValues(d: NumericDimension): number[] {
  return Array.from({ length: stepsOf(d).count }, (_, k) => steppedValue(d, k));
}

/** One value drawn uniformly from the dimension (log-uniformly for `log_uniform_values`). */
export function sampleDimension(d: SweepDimension, uniform: Uniform): JsonValue {
  if (d.kind === "categorical") return d.choices[Math.floor(uniform() * d.choices.length)] as JsonValue;
  switch (d.distribution) {
    case "uniform":
      return d.min + uniform() * (d.max - d.min);
    case "log_uniform_values":
      return Math.exp(Math.log(d.min) + uniform() * (Math.log(d.max) - Math.log(d.min)));
    default:
      return steppedValue(d, Math.floor(uniform() * stepsOf(d).count));
  }
}

/** Random search: every parameter drawn independently. */
export function sampleRandom(space: SweepSpace, uniform: Uniform): SweepParams {
  const params: SweepParams = {};
  for (const { name, dimension } of space) params[name] = sampleDimension(dimension, uniform);
  return params;
}

/** The values a grid takes for one dimension. */
function gridValues(d: SweepDimension): JsonValue[] {
  if (d.kind === "categorical") return d.choices;
  if (d.distribution === "int_uniform" || d.distribution === "q_uniform") return steppedValues(d);
  throw new RangeError("a grid needs values, int_uniform or q_uniform");
}

export function gridSize(space: SweepSpace): number {
  return space.reduce((n, { dimension }) => n * gridValues(dimension).length, 1);
}

/**
 * The `index`-th combination of the grid, parameters by name and the last one varying fastest, so the
 * order is the same however the sweep was written and a controller can resume from a count.
 */
export function gridPoint(space: SweepSpace, index: number): SweepParams {
  const params: SweepParams = {};
  let rest = index;
  for (let i = space.length - 1; i >= 0; i--) {
    const { name, dimension } = space[i] as SweepSpace[number];
    const values = gridValues(dimension);
    params[name] = values[rest % values.length] as JsonValue;
    rest = Math.floor(rest / values.length);
  }
  return params;
}
