import { describe, expect, it } from "vitest";
import { queueEnqueueInput } from "./queue.ts";
import { experimentSpec } from "./spec.ts";

const issuePaths = (value: unknown) => {
  const result = queueEnqueueInput.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join("."));
};

describe("experimentSpec", () => {
  it("accepts a shell command line or an argv array, with env defaults", () => {
    expect(experimentSpec.parse({ kind: "command", command: "python3 train.py" })).toEqual({
      kind: "command",
      command: "python3 train.py",
      env: {},
    });
    const argv = experimentSpec.parse({ kind: "command", command: ["node", "-e", "1"], env: { A_B: "1" } });
    expect(argv).toMatchObject({ command: ["node", "-e", "1"], env: { A_B: "1" } });
  });

  it("keeps the folders and globs a command run's log capture watches", () => {
    const spec = experimentSpec.parse({ kind: "command", command: "x", watch: ["logs/*.csv", "/abs/tb"] });
    expect(spec.kind === "command" && spec.watch).toEqual(["logs/*.csv", "/abs/tb"]);
  });

  it("picks the image-classifier schema by kind and fills its defaults", () => {
    const spec = experimentSpec.parse({ kind: "image-classifier", data: { path: "/data/x" } });
    expect(spec.kind === "image-classifier" && spec.batch_size).toBe(32);
  });

  it("names the bad field of a refused enqueue", () => {
    expect(issuePaths({ project: "p", spec: { kind: "command", command: "" } })).toEqual(["spec.command"]);
    expect(issuePaths({ project: "p", spec: { kind: "command", command: "x", env: { "1x": "a" } } })).toEqual(
      ["spec.env.1x"],
    );
    expect(issuePaths({ project: "p", spec: { kind: "shell", command: "x" } })).toEqual(["spec.kind"]);
    expect(
      issuePaths({ project: "p", spec: { kind: "command", command: "x", watch: ["logs/*.csv", " "] } }),
    ).toEqual(["spec.watch.1"]);
    expect(
      issuePaths({ project: "p", spec: { kind: "command", command: "x" }, requirements: { gpus: -1 } }),
    ).toEqual(["requirements.gpus"]);
  });

  it("defaults the queue, priority, requirements and attempts", () => {
    const input = queueEnqueueInput.parse({ project: "p", spec: { kind: "command", command: "true" } });
    expect(input).toMatchObject({
      queue: "default",
      priority: 0,
      requirements: { gpus: 0, labels: [] },
      maxAttempts: 3,
    });
  });
});
