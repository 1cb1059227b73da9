import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  dataOf,
  STORAGE_CASES,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";
import { parseArtifactUrl } from "./artifact-routes.ts";

describe("artifact paths", () => {
  const id = "0b5f4a4e-5a0e-4b7c-9d55-1f2b3c4d5e6f";
  it("accepts nested relative paths and decodes segments", () => {
    expect(parseArtifactUrl(`/api/artifacts/${id}/checkpoints/epoch%2005.ckpt`)).toEqual({
      runId: id,
      path: "checkpoints/epoch 05.ckpt",
    });
  });
  it.each([
    [`/api/artifacts/${id}/../secret`, /segment '\.\.'/],
    [`/api/artifacts/${id}/a/%2e%2e/b`, /segment '\.\.'/],
    [`/api/artifacts/${id}//etc/passwd`, /relative, not absolute/],
    [`/api/artifacts/${id}/a//b`, /segment ''/],
    [`/api/artifacts/${id}/a%00b`, /NUL/],
    [`/api/artifacts/${id}/a%2fb`, /encoded '\/'/],
    [`/api/artifacts/${id}/a%5c..%5cb`, /'\/' as the separator/],
    ["/api/artifacts/not-a-run/x", /runId/],
  ])("refuses %s", (url, message) => {
    expect(() => parseArtifactUrl(url)).toThrow(message);
  });
});

function rawPut(base: string, rawPath: string, token: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const options = {
      hostname,
      port,
      path: rawPath,
      method: "PUT",
      headers: { authorization: `Bearer ${token}` },
    };
    const req = http.request(options, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end("x");
  });
}

describe.each(STORAGE_CASES)("artifacts over HTTP on %s with %s blobs", (kind, blobStore) => {
  let server: TestServer;
  let runId: string;
  const auth = () => ({ authorization: `Bearer ${server.adminToken}` });

  beforeAll(async () => {
    server = await startTestServer(kind, { blobStore });
    const res = await callProcedure(server, server.adminToken, "runs.create", { project: "artifacts" });
    runId = dataOf<{ id: string }>(res).id;
  });
  afterAll(() => server.close());

  it("streams a file in, records its sha256, size and kind, and streams it back", async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) % 251;
    const file = path.join(os.tmpdir(), `labtrack-artifact-${process.pid}.bin`);
    await writeFile(file, bytes);
    const put = await fetch(
      `${server.url}/api/artifacts/${runId}/checkpoints/best.weights.bin?kind=checkpoint`,
      {
        method: "PUT",
        headers: { ...auth(), "content-type": "application/octet-stream" },
        body: bytes,
      },
    );
    expect(put.status).toBe(201);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    expect(await put.json()).toMatchObject({
      path: "checkpoints/best.weights.bin",
      kind: "checkpoint",
      size: bytes.length,
      sha256,
    });
    const get = await fetch(`${server.url}/api/artifacts/${runId}/checkpoints/best.weights.bin`, {
      headers: auth(),
    });
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true);
    const list = await callProcedure(server, server.adminToken, "artifacts.list", { runId }, "query");
    expect(list.body.result?.data).toEqual([
      expect.objectContaining({ path: "checkpoints/best.weights.bin", sha256 }),
    ]);
  });

  it("checks x-labtrack-sha256: a body that hashes differently is refused and neither the blob nor the artifact appears", async () => {
    const body = Buffer.from("weights that got corrupted on the way");
    const sha256 = createHash("sha256").update(body).digest("hex");
    const url = `${server.url}/api/artifacts/${runId}/checked/weights.bin`;
    const wrong = await fetch(url, {
      method: "PUT",
      headers: { ...auth(), "x-labtrack-sha256": "a".repeat(64) },
      body,
    });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe(
      `x-labtrack-sha256: the body hashes to ${sha256}, not the expected ${"a".repeat(64)}`,
    );
    expect((await fetch(url, { headers: auth() })).status).toBe(404);
    expect(await server.services.artifacts.blobs.exists(sha256)).toBe(false);
    const malformed = await fetch(url, {
      method: "PUT",
      headers: { ...auth(), "x-labtrack-sha256": "xyz" },
      body,
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(
      /^x-labtrack-sha256: must be 64 lowercase hex digits/,
    );
    const right = await fetch(url, {
      method: "PUT",
      headers: { ...auth(), "x-labtrack-sha256": sha256 },
      body,
    });
    expect(right.status).toBe(201);
    expect(await server.services.artifacts.blobs.exists(sha256)).toBe(true);
  });

  it("overwrites a path with new content, and refuses escapes, unknown runs, bad kinds and missing tokens", async () => {
    const url = `${server.url}/api/artifacts/${runId}/labels.txt`;
    await fetch(url, { method: "PUT", headers: auth(), body: "cat\ndog\n" });
    const second = await fetch(url, { method: "PUT", headers: auth(), body: "cat\ndog\nbird\n" });
    expect((await second.json()) as { size: number }).toMatchObject({ size: 13 });
    expect(await (await fetch(url, { headers: auth() })).text()).toBe("cat\ndog\nbird\n");
    // fetch() would normalise the dots away; a raw request sends them as a hostile client would.
    const escaping = await rawPut(server.url, `/api/artifacts/${runId}/a/%2E%2E/%2E%2E/x`, server.adminToken);
    expect(escaping.status).toBe(400);
    expect(escaping.body).toMatch(/"path: /);
    const noRun = await fetch(`${server.url}/api/artifacts/00000000-0000-4000-8000-000000000000/x`, {
      method: "PUT",
      headers: auth(),
      body: "x",
    });
    expect(noRun.status).toBe(404);
    const badKind = await fetch(`${url}?kind=weights`, { method: "PUT", headers: auth(), body: "x" });
    expect(badKind.status).toBe(400);
    expect(((await badKind.json()) as { error: { message: string } }).error.message).toMatch(/^kind: /);
    expect((await fetch(url)).status).toBe(401);
    expect(
      (await fetch(`${server.url}/api/artifacts/${runId}/missing.txt`, { headers: auth() })).status,
    ).toBe(404);
  });
  it("never lets a browser render an artifact: nosniff everywhere, HTML and SVG as sandboxed downloads", async () => {
    for (const [file, type] of [
      ["report.html", "text/html"],
      ["plot.svg", "image/svg+xml"],
      ["notes.txt", "text/plain"],
    ] as const) {
      const body = "<script>alert(document.cookie)</script>";
      const put = await fetch(`${server.url}/api/artifacts/${runId}/${file}`, {
        method: "PUT",
        headers: { ...auth(), "content-type": type },
        body,
      });
      expect(put.status).toBe(201);
      const got = await fetch(`${server.url}/api/artifacts/${runId}/${file}`, { headers: auth() });
      expect(got.headers.get("x-content-type-options")).toBe("nosniff");
      expect(got.headers.get("content-disposition")).toBe(`attachment; filename="${file}"`);
      expect(got.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
      expect(await got.text()).toBe(body);
    }
    for (const url of ["/healthz", "/trpc/tokens.whoami", "/nowhere", `/api/artifacts/${runId}/missing`]) {
      const res = await fetch(`${server.url}${url}`, { headers: auth() });
      expect(res.headers.get("x-content-type-options"), url).toBe("nosniff");
    }
  });

  it("serves the type the upload named, or the extension's when it named none or octet-stream", async () => {
    for (const [file, uploaded, served] of [
      ["plots/loss.png", "application/octet-stream", "image/png"],
      ["plots/grid.webp", null, "image/webp"],
      ["plots/arch.svg", "application/octet-stream", "image/svg+xml"],
      ["eval/metrics.json", null, "application/json"],
      ["logs/history.csv", "application/octet-stream", "text/csv; charset=utf-8"],
      ["weights.bin", null, "application/octet-stream"],
      ["eval/report.json", "application/vnd.labtrack+json", "application/vnd.labtrack+json"],
    ] as const) {
      const headers: Record<string, string> = auth();
      if (uploaded !== null) headers["content-type"] = uploaded;
      const put = await fetch(`${server.url}/api/artifacts/${runId}/${file}`, {
        method: "PUT",
        headers,
        body: new Uint8Array([1, 2, 3]),
      });
      expect(put.status).toBe(201);
      const got = await fetch(`${server.url}/api/artifacts/${runId}/${file}`, { headers: auth() });
      expect(got.headers.get("content-type"), file).toBe(served);
      expect(got.headers.get("x-content-type-options")).toBe("nosniff");
      expect(got.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    }
  });

  it("keeps nosniff on every response", async () => {
    for (const url of ["/healthz", "/trpc/tokens.whoami", "/nowhere", `/api/artifacts/${runId}/missing`]) {
      const res = await fetch(`${server.url}${url}`, { headers: auth() });
      expect(res.headers.get("x-content-type-options"), url).toBe("nosniff");
    }
  });
});
