// biome-ignore-all lint/suspicious/noTemplateCurlyInString: sweep placeholders are literal ${name} strings
import { describe, expect, it } from "vitest";
import {
  nextSweepParams,
  substitutePlaceholders,
  sweepBudget,
  sweepGoalValue,
  sweepRunSpec,
} from "./sweep-run-spec.ts";

describe("sweepRunSpec", () => {
  it("replaces ${param} in a command's arguments and env, and leaves a shell's ${HOME} alone", () => {
    const spec = sweepRunSpec(
      {
        spec: {
          kind: "command",
          command: ["python3", "train.py", "--lr=${lr}", "--net", "${model}"],
          env: { BS: "${bs}", H: "${HOME}" },
        },
      },
      { lr: 0.001, model: "resnet", bs: 32 },
    );
    expect(spec).toMatchObject({
      command: ["python3", "train.py", "--lr=0.001", "--net", "resnet"],
      env: { BS: "32", H: "${HOME}" },
    });
    expect(substitutePlaceholders("echo ${a} ${b}", { a: [1, 2] })).toBe("echo [1,2] ${b}");
  });

  it("sets dotted keys into an image-classifier spec, defaults filled first", () => {
    const spec = sweepRunSpec(
      { spec: { kind: "image-classifier", data: { path: "/d" } } },
      { "phases.1.learning_rate": 0.0003, "model.backbone": "scratch_cnn", batch_size: 8 },
    );
    expect(
      spec.kind === "image-classifier" && [
        spec.phases[1]?.learning_rate,
        spec.model.backbone,
        spec.batch_size,
      ],
    ).toEqual([0.0003, "scratch_cnn", 8]);
    expect(spec.kind === "image-classifier" && spec.phases[0]?.learning_rate).toBe(1e-3);
  });

  it("throws when a value makes the spec invalid", () => {
    expect(() =>
      sweepRunSpec({ spec: { kind: "image-classifier", data: { path: "/d" } } }, { batch_size: 0 }),
    ).toThrow();
  });
});

describe("sweep budget and goal", () => {
  it("caps a grid at its size and takes run_cap otherwise", () => {
    const parameters = { a: { values: [1, 2] }, b: { values: [1, 2, 3] } };
    expect(sweepBudget({ method: "grid", parameters })).toBe(6);
    expect(sweepBudget({ method: "grid", parameters, run_cap: 4 })).toBe(4);
    expect(sweepBudget({ method: "random", parameters, run_cap: 9 })).toBe(9);
  });

  it("reads the chosen summary of the metric", () => {
    const summary = {
      "val/loss": {
        last: 0.3,
        lastStep: 9,
        min: 0.2,
        minStep: 5,
        max: "Infinity" as const,
        maxStep: 0,
        count: 10,
      },
    };
    expect(sweepGoalValue(summary, { name: "val/loss", summary: "min" })).toBe(0.2);
    expect(sweepGoalValue(summary, { name: "val/loss", summary: "max" })).toBe(Number.POSITIVE_INFINITY);
    expect(sweepGoalValue(summary, { name: "acc", summary: "last" })).toBeNull();
  });

  it("gives a restarted controller the same parameters for the same index", () => {
    const config = {
      method: "random" as const,
      seed: 3,
      metric: { name: "loss", goal: "minimize" as const, summary: "last" as const },
      parameters: { lr: { min: 0.001, max: 0.1 } },
    };
    expect(nextSweepParams(config, [], 5)).toEqual(nextSweepParams(config, [], 5));
    expect(nextSweepParams(config, [], 5)).not.toEqual(nextSweepParams(config, [], 6));
  });
});
