/**
 * TPE against random search on the same budget: the best goal each reaches, averaged over seeds, on
 * test functions with a known minimum (Branin; a 6-d Hartmann; a learning-rate x backbone x layers
 * space as a sweep writes it). Prints one line per function; exits 1 if TPE is not better on average.
 */
import { sweepParameter } from "@labtrack/schemas";
import {
  mixSeed,
  type SweepParams,
  type SweepTrial,
  sampleRandom,
  sampleTpe,
  seededUniform,
  sweepSpace,
} from "../src/index.ts";

const space = (parameters: Record<string, unknown>) =>
  sweepSpace(Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, sweepParameter.parse(v)])));

const branin = (p: SweepParams) => {
  const x1 = p.x1 as number;
  const x2 = p.x2 as number;
  const b = 5.1 / (4 * Math.PI ** 2);
  return (x2 - b * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
};

const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
const H6_ALPHA = [1, 1.2, 3, 3.2];
const hartmann6 = (p: SweepParams) => {
  const x = [0, 1, 2, 3, 4, 5].map((i) => p[`x${i}`] as number);
  return -H6_ALPHA.reduce(
    (s, a, i) =>
      s + a * Math.exp(-x.reduce((t, xj, j) => t + (H6_A[i]?.[j] ?? 0) * (xj - (H6_P[i]?.[j] ?? 0)) ** 2, 0)),
    0,
  );
};

const training = (p: SweepParams) => {
  const lr = Math.log10(p.lr as number);
  const backbone =
    { mobilenet_v2: 0, resnet50: 0.15, efficientnet_b0: -0.05, scratch_cnn: 0.6 }[p.backbone as string] ?? 1;
  const layers = ((p.unfrozen as number) - 40) / 40;
  return 0.2 + 0.08 * (lr + 3.5) ** 2 + backbone + 0.1 * layers ** 2;
};

const cases = [
  {
    name: "Branin (min 0.398)",
    budget: 60,
    f: branin,
    space: space({
      x1: { min: -5, max: 10, distribution: "uniform" },
      x2: { min: 0, max: 15, distribution: "uniform" },
    }),
  },
  {
    name: "Hartmann-6 (min -3.322)",
    budget: 100,
    f: hartmann6,
    space: space(
      Object.fromEntries(
        [0, 1, 2, 3, 4, 5].map((i) => [`x${i}`, { min: 0, max: 1, distribution: "uniform" }]),
      ),
    ),
  },
  {
    name: "lr x backbone x unfrozen layers (min 0.15)",
    budget: 40,
    f: training,
    space: space({
      lr: { min: 1e-6, max: 1e-1, distribution: "log_uniform_values" },
      backbone: { values: ["mobilenet_v2", "resnet50", "efficientnet_b0", "scratch_cnn"] },
      unfrozen: { min: 0, max: 100, distribution: "int_uniform" },
    }),
  },
];

const SEEDS = Number(process.env.BENCH_SEEDS ?? 20);
let failed = false;
for (const c of cases) {
  const result = { tpe: 0, random: 0 };
  let tpeWins = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const best = { tpe: Infinity, random: Infinity };
    for (const method of ["tpe", "random"] as const) {
      const trials: SweepTrial[] = [];
      for (let i = 0; i < c.budget; i++) {
        const uniform = seededUniform(mixSeed(seed, i));
        const params =
          method === "tpe" ? sampleTpe(c.space, trials, "minimize", uniform) : sampleRandom(c.space, uniform);
        const value = c.f(params);
        trials.push({ index: i, params, state: "complete", value });
        best[method] = Math.min(best[method], value);
      }
      result[method] += best[method] / SEEDS;
    }
    if (best.tpe < best.random) tpeWins++;
  }
  if (!(result.tpe < result.random)) failed = true;
  process.stdout.write(
    `${c.name}, ${c.budget} runs, ${SEEDS} seeds: mean best TPE ${result.tpe.toFixed(4)} vs random ${result.random.toFixed(4)}; TPE better on ${tpeWins}/${SEEDS} seeds\n`,
  );
}
process.exitCode = failed ? 1 : 0;
