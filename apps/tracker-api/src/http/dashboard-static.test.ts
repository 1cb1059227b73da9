import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support/test-server.ts";
import { dashboardStatic } from "./dashboard-static.ts";

describe("dashboard static route", () => {
  let dist: string;
  let server: TestServer;
  let missing: TestServer;

  beforeAll(async () => {
    dist = await mkdtemp(path.join(os.tmpdir(), "labtrack-dashboard-"));
    await mkdir(path.join(dist, "assets"));
    await writeFile(path.join(dist, "index.html"), "<!doctype html><title>Labtrack</title>");
    await writeFile(path.join(dist, "assets", "index-abc123.js"), "console.log('app')");
    await writeFile(path.join(dist, "favicon.svg"), "<svg/>");
    await writeFile(path.join(os.tmpdir(), "labtrack-outside.txt"), "secret");
    server = await startTestServer("pglite", { extraRoutes: [dashboardStatic(dist)] });
    missing = await startTestServer("pglite", {
      extraRoutes: [dashboardStatic(path.join(dist, "not-built"))],
    });
  });

  afterAll(async () => {
    await server?.close();
    await missing?.close();
    await rm(dist, { recursive: true, force: true });
  });

  it("serves index.html at / and for client routes, never cached", async () => {
    for (const route of ["/", "/login", "/runs/0b6f/compare", "/projects/demo"]) {
      const res = await fetch(`${server.url}${route}`);
      expect(res.status, route).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(await res.text()).toContain("<title>Labtrack</title>");
    }
  });

  it("serves hashed assets with a long cache and other files with their type", async () => {
    const asset = await fetch(`${server.url}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(await asset.text()).toBe("console.log('app')");
    const icon = await fetch(`${server.url}/favicon.svg`);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(icon.headers.get("cache-control")).toBe("no-cache");
  });

  it("answers a missing file with an extension, and paths outside the folder, with 404", async () => {
    expect((await fetch(`${server.url}/assets/gone-123.js`)).status).toBe(404);
    const outside = await fetch(`${server.url}/%2e%2e/labtrack-outside.txt`);
    expect(outside.status).toBe(404);
    expect(await outside.text()).not.toContain("secret");
  });

  it("leaves /api and /trpc to the API", async () => {
    const api = await fetch(`${server.url}/api/unknown`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    const trpc = await fetch(`${server.url}/trpc/tokens.whoami`);
    expect(trpc.status).toBe(401);
  });

  it("says how to build the dashboard when its folder is missing", async () => {
    const res = await fetch(`${missing.url}/login`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/dashboard is not built.*pnpm --filter @labtrack\/dashboard build/);
  });
});
