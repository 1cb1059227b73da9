import { describe, expect, it } from "vitest";
import { commandView, ordinal, requirementsText, shellQuote, specKind, specYaml } from "./run-spec.ts";

describe("run spec display", () => {
  it("quotes argv words only where a shell needs it", () => {
    expect(shellQuote("--lr=0.01")).toBe("--lr=0.01");
    expect(shellQuote("two words")).toBe("'two words'");
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("$HOME")).toBe("'$HOME'");
  });

  it("shows a command spec's line, argv, env (sorted), cwd, timeout and watched logs", () => {
    const view = commandView({
      kind: "command",
      command: ["python3", "train.py", "--note", "lr sweep"],
      env: { WANDB_MODE: "off", BATCH: "64" },
      cwd: "/srv/exp",
      timeout_seconds: 3600,
      watch: ["logs/*.csv"],
    });
    expect(view).toEqual({
      line: "python3 train.py --note 'lr sweep'",
      argv: ["python3", "train.py", "--note", "lr sweep"],
      cwd: "/srv/exp",
      env: [
        ["BATCH", "64"],
        ["WANDB_MODE", "off"],
      ],
      timeoutSeconds: 3600,
      watch: ["logs/*.csv"],
    });
    expect(commandView({ kind: "command", command: "make train" })).toMatchObject({
      line: "make train",
      argv: null,
      env: [],
    });
    expect(commandView({ kind: "image-classifier" })).toBeNull();
    expect(commandView(null)).toBeNull();
  });

  it("writes a recipe spec as YAML, keys in the schema's order whatever order they were stored in", () => {
    // As Postgres' jsonb returns it: keys by length.
    const stored = {
      kind: "image-classifier",
      seed: 1,
      model: { dropout: 0.2, backbone: "mobilenet_v2" },
      phases: [{ epochs: 3, trainable: "head", learning_rate: 0.001 }],
      extra_key: true,
    };
    expect(specKind(stored)).toBe("image-classifier");
    const yaml = specYaml(stored);
    expect(yaml.split("\n")[0]).toBe("kind: image-classifier");
    expect(yaml.indexOf("model:")).toBeLessThan(yaml.indexOf("phases:"));
    expect(yaml).toContain("model:\n  backbone: mobilenet_v2\n  dropout: 0.2\n");
    expect(yaml).toContain("  - epochs: 3\n    learning_rate: 0.001\n    trainable: head\n");
    expect(yaml.trimEnd().endsWith("extra_key: true")).toBe(true);
  });

  it("says what a run needs of a runner", () => {
    expect(requirementsText({ gpus: 0, labels: [] })).toBe("any slot");
    expect(
      requirementsText({ gpus: 2, minGpuMemoryMb: 16384, backend: "tfjs-node-gpu", labels: ["a100"] }),
    ).toBe("2 GPUs · ≥ 16 GiB each · backend tfjs-node-gpu · labels a100");
  });

  it("writes ordinals", () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 111, 1001].map(ordinal)).toEqual([
      "1st",
      "2nd",
      "3rd",
      "4th",
      "11th",
      "12th",
      "13th",
      "21st",
      "22nd",
      "111th",
      "1,001st",
    ]);
  });
});
