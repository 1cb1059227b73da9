// biome-ignore-all lint/suspicious/noTemplateCurlyInString: sweep placeholders are literal ${name} strings
import { describe, expect, it } from "vitest";
import { sweepConfig } from "./sweep.ts";

const command = {
  kind: "command",
  command: ["python3", "train.py", "--lr", "${lr}", "--bs", "${batch_size}"],
};
const classifier = { kind: "image-classifier", data: { path: "/data/flowers" } };

const issues = (value: unknown) => {
  const result = sweepConfig.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("sweepConfig", () => {
  it("accepts W&B's sweep.yaml keys with Labtrack's spec, and fills defaults", () => {
    const config = sweepConfig.parse({
      name: "lr-search",
      method: "bayes",
      metric: { name: "val/loss", goal: "minimize" },
      parameters: {
        lr: { min: 1e-5, max: 1e-1, distribution: "log_uniform_values" },
        batch_size: { values: [16, 32, 64] },
      },
      early_terminate: { type: "hyperband", min_iter: 3 },
      run_cap: 20,
      spec: command,
    });
    expect(config).toMatchObject({
      concurrency: 1,
      queue: "default",
      seed: 0,
      metric: { summary: "last" },
      early_terminate: { eta: 3 },
      requirements: { gpus: 0, labels: [] },
    });
  });

  it("sets nested dotted keys into an image-classifier spec", () => {
    expect(
      issues({
        name: "ft",
        method: "grid",
        metric: { name: "val/accuracy", goal: "maximize" },
        parameters: {
          "phases.1.learning_rate": { values: [1e-5, 1e-4] },
          "model.backbone": { values: ["mobilenet_v2", "scratch_cnn"] },
          batch_size: { value: 32 },
        },
        spec: classifier,
      }),
    ).toEqual([]);
  });

  it("refuses a bad space naming the field", () => {
    const base = { name: "s", method: "random", metric: { name: "loss" }, run_cap: 4, spec: classifier };
    expect(issues({ ...base, parameters: { batch_size: { values: [] } } })).toEqual([
      "parameters.batch_size.values: must not be empty",
    ]);
    expect(issues({ ...base, parameters: { batch_size: { min: 64, max: 8 } } })).toEqual([
      "parameters.batch_size.min: must not be greater than max",
    ]);
    expect(issues({ ...base, parameters: { "model.colour": { values: [1] } } })).toEqual([
      "parameters.model.colour: is not a key of the spec",
    ]);
    expect(issues({ ...base, parameters: { "phases.7.epochs": { values: [1] } } })).toEqual([
      "parameters.phases.7.epochs: is not a key of the spec",
    ]);
    expect(
      issues({ ...base, parameters: { "model.backbone": { values: ["mobilenet_v2", "vgg"] } } })[0],
    ).toMatch(/^parameters\.model\.backbone\.values\.1: model\.backbone: must be mobilenet_v2/);
    expect(
      issues({ ...base, parameters: { lr: { min: 0, max: 1, distribution: "log_uniform_values" } } }),
    ).toContain("parameters.lr.min: must be > 0 for log_uniform_values");
    expect(
      issues({ ...base, parameters: { batch_size: { min: 8, max: 64, distribution: "uniform" } } })[0],
    ).toMatch(/^parameters\.batch_size\.distribution: batch_size: /);
    expect(issues({ ...base, run_cap: undefined, parameters: { batch_size: { values: [8] } } })).toEqual([
      "run_cap: is required for random and bayes sweeps",
    ]);
    expect(
      issues({ ...base, spec: { kind: "command", command: "x" }, parameters: { lr: { values: [1] } } }),
    ).toEqual(["parameters.lr: is neither a key of the spec nor a ${lr} placeholder in its command or env"]);
    expect(issues({ ...base, spec: { kind: "nope" }, parameters: { lr: { values: [1] } } })[0]).toMatch(
      /^spec\.kind/,
    );
  });

  it("refuses a grid over a continuous range", () => {
    expect(
      issues({
        name: "g",
        method: "grid",
        metric: { name: "loss" },
        parameters: { lr: { min: 0.1, max: 0.5 }, batch_size: { values: [1] } },
        spec: command,
      }),
    ).toEqual(["parameters.lr: a grid needs values, int_uniform or q_uniform"]);
  });

  it("takes placeholders in a command's env", () => {
    const spec = { kind: "command", command: "python3 train.py", env: { LR: "${lr}" } };
    expect(
      issues({
        name: "e",
        method: "random",
        run_cap: 2,
        metric: { name: "loss" },
        parameters: { lr: { min: 0.1, max: 0.5 } },
        spec,
      }),
    ).toEqual([]);
  });
});
