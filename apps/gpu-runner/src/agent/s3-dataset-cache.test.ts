import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createS3Client } from "@labtrack/s3";
import { type S3TestServer, startS3TestServer } from "@labtrack/s3/test-support";
import type { LabtrackTRPCClient } from "@labtrack/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveDataPath } from "./dataset-launch.ts";
import { createS3DatasetCache, relativeObjectPath } from "./s3-dataset-cache.ts";

describe("s3:// datasets against s3rver on loopback", () => {
  let server: S3TestServer;
  let client: S3Client;
  let work: string;
  const put = (key: string, body: string) =>
    client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: body }));
  const location = () => ({ bucket: server.bucket, prefix: "training/carros/" });

  beforeAll(async () => {
    server = await startS3TestServer("ocolecionador-processed");
    client = createS3Client(server.settings);
    work = await mkdtemp(path.join(os.tmpdir(), "labtrack-s3-dataset-"));
    await put("training/carros/sedan/1.png", "S1");
    await put("training/carros/sedan/2.png", "S2");
    await put("training/carros/suv/3.png", "U3");
    await put("training/carros/suv/", ""); // a console's folder marker
    await put("training/motos/4.png", "M4"); // another prefix: not part of the dataset
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  it("downloads the objects under the prefix once, into a folder named by the listing", async () => {
    const cache = createS3DatasetCache({ cacheDir: path.join(work, "cache-a"), client });
    const first = await cache.resolve(location());
    expect(first).toMatchObject({ downloaded: true, objects: 3, bytes: 6 });
    expect(path.basename(first.dir)).toBe(`s3-${first.listingSha256}`);
    expect((await readdir(first.dir, { recursive: true })).sort()).toEqual([
      "sedan",
      path.join("sedan", "1.png"),
      path.join("sedan", "2.png"),
      "suv",
      path.join("suv", "3.png"),
    ]);
    expect(await readFile(path.join(first.dir, "suv/3.png"), "utf8")).toBe("U3");

    const again = await createS3DatasetCache({ cacheDir: path.join(work, "cache-a"), client }).resolve(
      location(),
    );
    expect(again).toMatchObject({ downloaded: false, dir: first.dir });
  });

  it("shares one download between concurrent runs", async () => {
    const cache = createS3DatasetCache({ cacheDir: path.join(work, "cache-b"), client });
    const [a, b] = await Promise.all([cache.resolve(location()), cache.resolve(location())]);
    expect(a.dir).toBe(b.dir);
    expect([a.downloaded, b.downloaded].filter(Boolean)).toHaveLength(1);
    expect((await readdir(path.join(work, "cache-b"))).filter((n) => n.startsWith(".staging"))).toEqual([]);
  });

  it("downloads again when an object is added, rewritten or removed", async () => {
    const cache = createS3DatasetCache({ cacheDir: path.join(work, "cache-c"), client });
    const before = await cache.resolve(location());
    await put("training/carros/sedan/2.png", "S2-relabelled");
    const rewritten = await cache.resolve(location());
    expect(rewritten.downloaded).toBe(true);
    expect(rewritten.dir).not.toBe(before.dir);
    expect(await readFile(path.join(rewritten.dir, "sedan/2.png"), "utf8")).toBe("S2-relabelled");
    await client.send(new DeleteObjectCommand({ Bucket: server.bucket, Key: "training/carros/sedan/2.png" }));
    const removed = await cache.resolve(location());
    expect(removed).toMatchObject({ downloaded: true, objects: 2 });
  });

  it("is what resolveDataPath does for s3:// data paths, with the runner's S3 settings", async () => {
    const ctx = {
      workRoot: path.join(work, "runner"),
      url: "http://127.0.0.1:9",
      token: "unused",
      trpc: {} as LabtrackTRPCClient,
      s3: server.settings,
    };
    const first = await resolveDataPath(ctx, `s3://${server.bucket}/training/carros`);
    expect(first.dir.startsWith(path.join(work, "runner", "datasets", "s3-"))).toBe(true);
    expect(first.note).toMatch(
      /^dataset s3:\/\/ocolecionador-processed\/training\/carros \(\d+ objects, \d+ bytes, listing sha256 [0-9a-f]{12}\) downloaded$/,
    );
    const second = await resolveDataPath(ctx, `s3://${server.bucket}/training/carros/`);
    expect(second.dir).toBe(first.dir);
    expect(second.note).toMatch(/from the runner's cache$/);
  });

  it("names spec.data.path when the prefix is empty, the bucket is missing or the URL is malformed", async () => {
    const ctx = { workRoot: work, url: "", token: "", trpc: {} as LabtrackTRPCClient, s3: server.settings };
    await expect(resolveDataPath(ctx, `s3://${server.bucket}/nothing-here`)).rejects.toThrow(
      /^spec\.data\.path: s3:\/\/ocolecionador-processed\/nothing-here: no objects under s3:\/\/ocolecionador-processed\/nothing-here\//,
    );
    await expect(resolveDataPath(ctx, "s3://no-such-bucket/x")).rejects.toThrow(
      /^spec\.data\.path: s3:\/\/no-such-bucket\/x: NoSuchBucket/,
    );
    await expect(resolveDataPath(ctx, "s3://X/y")).rejects.toThrow(
      /^spec\.data\.path: 'X' is not a bucket name/,
    );
  });

  it("refuses keys that would land outside the folder", () => {
    const at = { bucket: "b-1", prefix: "set/" };
    expect(relativeObjectPath(at, "set/a/b.png")).toBe(path.join("a", "b.png"));
    expect(() => relativeObjectPath(at, "set/../../etc/passwd")).toThrow(/'\.\.' segment/);
    expect(() => relativeObjectPath(at, "set//x.png")).toThrow(/empty/);
  });
});
