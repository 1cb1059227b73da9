import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readEnv } from "./env.ts";

describe("readEnv dashboard folder", () => {
  it("defaults to apps/dashboard/dist beside the tracker-api package", () => {
    const env = readEnv({});
    const appsDir = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
    expect(env.dashboardDir).toBe(path.join(appsDir, "dashboard", "dist"));
  });

  it("takes LABTRACK_DASHBOARD_DIR relative to the directory the command was typed in", () => {
    const env = readEnv({ LABTRACK_DASHBOARD_DIR: "web/dist", INIT_CWD: "/srv/labtrack" });
    expect(env.dashboardDir).toBe("/srv/labtrack/web/dist");
  });
});

describe("readEnv artifact store", () => {
  it("keeps blobs in a folder under the data dir by default", () => {
    const env = readEnv({ LABTRACK_DATA_DIR: "/srv/lt" });
    expect(env.blobStore).toEqual({ kind: "local", dir: "/srv/lt/blobs" });
  });

  it("reads s3://bucket/prefix with an endpoint, region and keys", () => {
    const env = readEnv({
      LABTRACK_ARTIFACT_STORE: "s3://labtrack-artifacts/team-a",
      LABTRACK_S3_ENDPOINT: "http://minio:9000",
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "minioadmin",
      AWS_SECRET_ACCESS_KEY: "minioadmin-secret",
    });
    expect(env.blobStore).toEqual({
      kind: "s3",
      location: { bucket: "labtrack-artifacts", prefix: "team-a/" },
      settings: {
        endpoint: "http://minio:9000",
        region: "eu-west-1",
        accessKeyId: "minioadmin",
        secretAccessKey: "minioadmin-secret",
        sessionToken: undefined,
      },
    });
  });

  it("defaults the region and leaves credentials to the SDK's chain when none are given", () => {
    const env = readEnv({ LABTRACK_ARTIFACT_STORE: "s3://labtrack-artifacts" });
    expect(env.blobStore).toMatchObject({
      kind: "s3",
      location: { bucket: "labtrack-artifacts", prefix: "" },
      settings: { region: "us-east-1", accessKeyId: undefined, endpoint: undefined },
    });
  });

  it.each([
    [
      { LABTRACK_ARTIFACT_STORE: "/mnt/blobs" },
      /LABTRACK_ARTIFACT_STORE: '\/mnt\/blobs' does not start with s3:\/\//,
    ],
    [{ LABTRACK_ARTIFACT_STORE: "s3://No_Such" }, /LABTRACK_ARTIFACT_STORE: 'No_Such' is not a bucket name/],
    [{ LABTRACK_ARTIFACT_STORE: "s3://bucket", LABTRACK_S3_ENDPOINT: "minio:9000" }, /LABTRACK_S3_ENDPOINT/],
    [
      { LABTRACK_ARTIFACT_STORE: "s3://bucket", AWS_ACCESS_KEY_ID: "only-the-id" },
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: set both or neither/,
    ],
  ])("refuses %o, naming the variable", (source, message) => {
    expect(() => readEnv(source)).toThrow(message);
  });
});
