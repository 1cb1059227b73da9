import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseDatasetRef } from "@labtrack/schemas";
import { createTrpcClient, pushDataset } from "@labtrack/sdk";
import { startTestServer, type TestServer } from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatasetCache } from "./dataset-cache.ts";

describe("dataset cache", () => {
  let server: TestServer;
  let work: string;
  let client: ReturnType<typeof createTrpcClient>;

  const cacheFor = (cacheDir: string) =>
    createDatasetCache({
      cacheDir,
      url: server.url,
      token: server.adminToken,
      lookup: (name, version) => client.trpc.datasets.get.query({ name, version }),
    });

  async function writeFolder(dir: string, files: Record<string, string>) {
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
  }

  beforeAll(async () => {
    server = await startTestServer("pglite");
    client = createTrpcClient({ url: server.url, token: server.adminToken });
    work = await mkdtemp(path.join(os.tmpdir(), "labtrack-dataset-cache-"));
    await writeFolder(path.join(work, "v1"), { "circle/a.png": "A", "square/b.png": "B" });
    await writeFolder(path.join(work, "v2"), { "circle/a.png": "A", "square/b.png": "B2", "tri/c.png": "C" });
    await pushDataset({
      url: server.url,
      token: server.adminToken,
      name: "shapes",
      folder: path.join(work, "v1"),
    });
    await pushDataset({
      url: server.url,
      token: server.adminToken,
      name: "shapes",
      folder: path.join(work, "v2"),
    });
  }, 60_000);
  afterAll(async () => {
    await client.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  it("extracts a version into a folder named by its sha256, and serves it from disk the second time", async () => {
    const cache = cacheFor(path.join(work, "cache-a"));
    const first = await cache.resolve({ name: "shapes", version: 1 });
    expect(first.downloaded).toBe(true);
    expect(path.basename(first.dir)).toBe(first.dataset.sha256);
    expect(await readFile(path.join(first.dir, "square/b.png"), "utf8")).toBe("B");
    const again = await createDatasetCache({
      cacheDir: path.join(work, "cache-a"),
      url: server.url,
      token: server.adminToken,
      lookup: (name, version) => client.trpc.datasets.get.query({ name, version }),
    }).resolve({ name: "shapes", version: 1 });
    expect(again).toMatchObject({ dir: first.dir, downloaded: false });
  });

  it("resolves a reference without a version to the latest one", async () => {
    const cache = cacheFor(path.join(work, "cache-b"));
    const latest = await cache.resolve(parseDatasetRef("dataset:shapes") ?? { name: "" });
    expect(latest.dataset.version).toBe(2);
    expect((await readdir(latest.dir)).sort()).toEqual(["circle", "square", "tri"]);
  });

  it("downloads once when several runs ask at the same time, in one process or two", async () => {
    const cacheDir = path.join(work, "cache-c");
    const [one, two] = [cacheFor(cacheDir), cacheFor(cacheDir)]; // two agents sharing a host's cache
    const results = await Promise.all([
      one.resolve({ name: "shapes", version: 2 }),
      one.resolve({ name: "shapes", version: 2 }),
      one.resolve({ name: "shapes", version: 2 }),
      two.resolve({ name: "shapes", version: 2 }),
    ]);
    expect(new Set(results.map((r) => r.dir)).size).toBe(1);
    expect(results.slice(0, 3).filter((r) => r.downloaded)).toHaveLength(1);
    expect(await readdir(cacheDir)).toEqual([results[0]?.dataset.sha256]);
    expect(await readFile(path.join(results[0]?.dir ?? "", "tri/c.png"), "utf8")).toBe("C");
  });

  it("names the dataset and version the server does not have", async () => {
    const cache = cacheFor(path.join(work, "cache-d"));
    await expect(cache.resolve({ name: "shapes", version: 7 })).rejects.toThrow(/has no version 7/);
    await expect(cache.resolve({ name: "nope" })).rejects.toThrow(/no dataset 'nope'/);
  });
});
