import { describe, expect, it } from "vitest";
import { readRunnerConfig } from "./env.ts";

const env = { LABTRACK_URL: "http://tracker:8420/", LABTRACK_TOKEN: "runner-secret" };

describe("readRunnerConfig", () => {
  it("reads the flags of the README's command, with the `--` pnpm passes through", () => {
    const config = readRunnerConfig(
      ["--", "--name", "gpu-host-1", "--queues", "default,big", "--labels", "a100"],
      env,
    );
    expect(config.name).toBe("gpu-host-1");
    expect(config.queues).toEqual(["default", "big"]);
    expect(config.labels).toEqual(["a100"]);
    expect(config.url).toBe("http://tracker:8420");
  });

  it("reads the same flags without `--`", () => {
    const config = readRunnerConfig(["--name", "gpu-host-2", "--slots", "3", "--gpus", "none"], env);
    expect(config.name).toBe("gpu-host-2");
    expect(config.cpuSlots).toBe(3);
    expect(config.gpus).toBe("none");
  });

  it("still refuses an unknown flag and a stray argument", () => {
    expect(() => readRunnerConfig(["--", "--nmae", "x"], env)).toThrow(/Unknown option '--nmae'/);
    expect(() => readRunnerConfig(["--name", "a", "extra"], env)).toThrow(/Unexpected argument 'extra'/);
  });

  it("names the missing variable", () => {
    expect(() => readRunnerConfig([], { LABTRACK_URL: "http://tracker:8420" })).toThrow(/LABTRACK_TOKEN/);
  });
});
