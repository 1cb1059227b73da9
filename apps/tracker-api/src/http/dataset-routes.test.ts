import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import * as tar from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  dataOf,
  STORAGE_CASES,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";
import { parseDatasetUrl } from "./dataset-routes.ts";

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-dataset-src-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  const bytes = await buffer(
    tar.c({ cwd: dir, portable: true, noMtime: true }, Object.keys(files).sort()) as unknown as Readable,
  );
  await rm(dir, { recursive: true, force: true });
  return bytes;
}

describe("dataset URLs", () => {
  it("reads a name and an optional version or 'latest'", () => {
    expect(parseDatasetUrl("/api/datasets/shapes")).toEqual({ name: "shapes" });
    expect(parseDatasetUrl("/api/datasets/shapes/3")).toEqual({ name: "shapes", version: 3 });
    expect(parseDatasetUrl("/api/datasets/shapes/latest")).toEqual({ name: "shapes" });
  });
  it.each([
    ["/api/datasets/..", /name/],
    ["/api/datasets/shapes/0", /version/],
    ["/api/datasets/shapes/v2", /version/],
    ["/api/datasets/shapes/1/x", /path/],
  ])("refuses %s", (url, message) => {
    expect(() => parseDatasetUrl(url)).toThrow(message);
  });
});

describe.each(STORAGE_CASES)("datasets over HTTP on %s with %s blobs", (kind, blobStore) => {
  let server: TestServer;
  const auth = (token = server.adminToken) => ({ authorization: `Bearer ${token}` });
  const push = (name: string, body: Buffer | string, token?: string) =>
    fetch(`${server.url}/api/datasets/${name}`, {
      method: "PUT",
      headers: { ...auth(token), "content-type": "application/x-tar" },
      body,
    });

  beforeAll(async () => {
    server = await startTestServer(kind, { blobStore });
  });
  afterAll(() => server.close());

  it("versions pushes by content: new bytes make a new version, the same bytes answer the old one", async () => {
    const v1 = await tarOf({ "circle/a.png": "A", "square/b.png": "B", "square/c.png": "C" });
    const first = await push("shapes", v1);
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({
      name: "shapes",
      version: 1,
      fileCount: 3,
      size: v1.length,
      created: true,
    });
    const again = await push("shapes", v1);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ version: 1, created: false });
    const second = await push("shapes", await tarOf({ "circle/a.png": "A2" }));
    expect(await second.json()).toMatchObject({ version: 2, fileCount: 1, created: true });

    const listed = dataOf<{ name: string; version: number }[]>(
      await callProcedure(server, server.adminToken, "datasets.list", { name: "shapes" }, "query"),
    );
    expect(listed.map((d) => d.version)).toEqual([2, 1]);
    const latest = dataOf<{ version: number }>(
      await callProcedure(server, server.adminToken, "datasets.get", { name: "shapes" }, "query"),
    );
    expect(latest.version).toBe(2);
  });

  it("downloads a version's tar byte for byte, by number or as 'latest'", async () => {
    const bytes = await tarOf({ "cat/1.jpg": "meow" });
    const pushed = (await (await push("pets", bytes)).json()) as { sha256: string };
    for (const version of ["1", "latest"]) {
      const res = await fetch(`${server.url}/api/datasets/pets/${version}`, { headers: auth() });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-labtrack-dataset-sha256")).toBe(pushed.sha256);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it("answers 404 naming the missing name or version, over HTTP and tRPC", async () => {
    const missing = await fetch(`${server.url}/api/datasets/nothing/1`, { headers: auth() });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("no dataset 'nothing'");
    const noVersion = await callProcedure(
      server,
      server.adminToken,
      "datasets.get",
      { name: "pets", version: 9 },
      "query",
    );
    expect(noVersion.status).toBe(404);
    expect(noVersion.body.error?.message).toContain("has no version 9");
  });

  it("refuses bodies that are not tars, pushes without a user token, and reads without any token", async () => {
    const junk = "hello, not a tar archive at all";
    const notTar = await push("junk", junk);
    expect(notTar.status).toBe(400);
    expect(await notTar.text()).toContain("not a tar archive");
    // Refused before it was kept: the store never holds the bytes.
    expect(await server.services.datasets.blobs.exists(createHash("sha256").update(junk).digest("hex"))).toBe(
      false,
    );
    const list = dataOf<unknown[]>(
      await callProcedure(server, server.adminToken, "datasets.list", { name: "junk" }, "query"),
    );
    expect(list).toEqual([]);

    const runnerToken = dataOf<{ token: string }>(
      await callProcedure(server, server.adminToken, "tokens.create", { name: "gpu-1", scope: "runner" }),
    ).token;
    expect((await push("shapes", await tarOf({ "a/b": "c" }), runnerToken)).status).toBe(403);
    expect((await fetch(`${server.url}/api/datasets/shapes/1`, { headers: auth(runnerToken) })).status).toBe(
      200,
    );
    expect((await fetch(`${server.url}/api/datasets/shapes/1`)).status).toBe(401);
  });

  it("gives concurrent pushes of different content distinct versions", async () => {
    const bodies = await Promise.all([0, 1, 2, 3].map((i) => tarOf({ [`c/${i}.png`]: `x${i}` })));
    const results = await Promise.all(
      bodies.map(async (b) => (await (await push("race", b)).json()) as { version: number }),
    );
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
  });
});
