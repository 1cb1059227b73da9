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

describe("readRunnerConfig S3 settings (for s3:// data paths)", () => {
  it("reads the endpoint, region and keys from the environment", () => {
    const config = readRunnerConfig([], {
      ...env,
      LABTRACK_S3_ENDPOINT: "http://minio:9000",
      AWS_REGION: "sa-east-1",
      AWS_ACCESS_KEY_ID: "OColecionadorUser",
      AWS_SECRET_ACCESS_KEY: "a-secret",
    });
    expect(config.s3).toEqual({
      endpoint: "http://minio:9000",
      region: "sa-east-1",
      accessKeyId: "OColecionadorUser",
      secretAccessKey: "a-secret",
      sessionToken: undefined,
    });
  });

  it("defaults to AWS in us-east-1 with the SDK's own credentials", () => {
    expect(readRunnerConfig([], env).s3).toMatchObject({ region: "us-east-1", endpoint: undefined });
  });

  it("refuses half a key pair and an endpoint that is not an http(s) URL", () => {
    expect(() => readRunnerConfig([], { ...env, AWS_SECRET_ACCESS_KEY: "x" })).toThrow(
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: set both or neither/,
    );
    expect(() => readRunnerConfig([], { ...env, LABTRACK_S3_ENDPOINT: "minio:9000" })).toThrow(
      /LABTRACK_S3_ENDPOINT/,
    );
  });
});
