import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Client } from "./s3-client.ts";
import { downloadS3Object, listS3Objects } from "./s3-objects.ts";
import { type S3TestServer, startS3TestServer } from "./s3-test-server.ts";

describe("S3 listing and download against s3rver on loopback", () => {
  let server: S3TestServer;
  let client: S3Client;
  let dir: string;

  beforeAll(async () => {
    server = await startS3TestServer();
    client = createS3Client(server.settings);
    dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-s3-objects-"));
    for (const key of ["set/b.txt", "set/a.txt", "set/sub/c.txt", "other/d.txt", "set/e.txt"]) {
      await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: `bytes of ${key}` }));
    }
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lists every object under the prefix across pages, in key order, with sizes and ETags", async () => {
    const entries = await listS3Objects(client, { bucket: server.bucket, prefix: "set/" }, { pageSize: 2 });
    expect(entries.map((e) => e.key)).toEqual(["set/a.txt", "set/b.txt", "set/e.txt", "set/sub/c.txt"]);
    expect(entries[0]?.size).toBe("bytes of set/a.txt".length);
    expect(entries.every((e) => /^"[0-9a-f]{32}"$/.test(e.etag))).toBe(true);
  });

  it("downloads an object to a file and checks its size", async () => {
    const file = path.join(dir, "a.txt");
    await downloadS3Object(client, server.bucket, "set/a.txt", file, 18);
    expect(await readFile(file, "utf8")).toBe("bytes of set/a.txt");
    await expect(downloadS3Object(client, server.bucket, "set/a.txt", file, 19)).rejects.toThrow(
      /got 18 bytes, the listing said 19/,
    );
  });
});
