import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "./client.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * In front of the API: forwards every request, except `metrics.log` while `down`, which is answered
 * as the API answers when its database is unreachable (503, Retry-After).
 */
async function startOutageProxy(target: string) {
  const state = { down: false, refused: 0, hang: false, held: [] as http.ServerResponse[] };
  const upstream = new URL(target);
  const proxy = http.createServer((req, res) => {
    if (state.hang && req.url?.startsWith("/trpc/metrics.log")) {
      // A server that takes the request and never answers (a frozen process).
      req.resume();
      state.held.push(res);
      return;
    }
    if (state.down && req.url?.startsWith("/trpc/metrics.log")) {
      state.refused += 1;
      req.resume();
      res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
      res.end(
        JSON.stringify({
          error: {
            message: "database unreachable",
            code: -32603,
            data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 },
          },
        }),
      );
      return;
    }
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of state.held.splice(0)) res.destroy();
        proxy.close(() => resolve());
      }),
  };
}

describe("the Node sdk's spool against a real server answering 503", () => {
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof startOutageProxy>>;
  let spoolDir: string;

  beforeAll(async () => {
    server = await startTestServer("pglite");
    proxy = await startOutageProxy(server.url);
    spoolDir = mkdtempSync(path.join(os.tmpdir(), "labtrack-sdk-spool-"));
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  const stored = async (runId: string, key: string) => {
    const client = createClient({ url: server.url, token: server.adminToken });
    const [series] = await client.metrics.series({ runIds: [runId], keys: [key], maxPoints: 20_000 });
    const run = await client.runs.get(runId);
    await client.close();
    return { steps: series?.steps ?? [], count: run.summary[key]?.count };
  };

  it("delivers 20,000 points exactly once through an outage that sends them to disk, raising nothing", async () => {
    const client = createClient({
      url: proxy.url,
      token: server.adminToken,
      spoolDir,
      flushIntervalMs: 50,
      memoryPoints: 4_000,
    });
    const run = await client.startRun({ project: "sdk-spool", name: "outage" });
    proxy.state.down = true;
    for (let step = 0; step < 20_000; step++) {
      run.log({ loss: 1 / (step + 1) }, { step });
      if (step % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // The outage lasts until the points went to disk.
    while (run.stats.onDisk === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readdirSync(path.join(spoolDir, run.id))).toContain("spool.jsonl");
    expect(proxy.state.refused).toBeGreaterThan(0);
    proxy.state.down = false;
    const finished = await run.finish();
    expect(finished.status).toBe("succeeded");
    expect(run.stats).toMatchObject({ inMemory: 0, onDisk: 0, dropped: 0 });
    const { steps, count } = await stored(run.id, "loss");
    expect(steps).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(count).toBe(20_000);
    await client.close();
  });

  it("counts a metrics.log call left unanswered as failed: the points go to disk, then to the server", async () => {
    const client = createClient({
      url: proxy.url,
      token: server.adminToken,
      spoolDir,
      flushIntervalMs: 50,
      sendTimeoutMs: 300,
      spoolAfterMs: 0,
    });
    const run = await client.startRun({ project: "sdk-spool", name: "hung" });
    proxy.state.hang = true;
    for (let step = 0; step < 2_000; step++) run.log({ loss: step }, { step });
    while (run.stats.onDisk === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(proxy.state.held.length).toBeGreaterThan(0);
    proxy.state.hang = false;
    for (const res of proxy.state.held.splice(0)) res.destroy();
    await run.finish();
    expect(run.stats).toMatchObject({ inMemory: 0, onDisk: 0, dropped: 0 });
    expect((await stored(run.id, "loss")).steps).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    await client.close();
  });

  it("replays a killed process's spool from a new client on the same run and folder", async () => {
    const admin = createClient({ url: server.url, token: server.adminToken });
    const run = await admin.runs.create({ project: "sdk-spool", name: "crashed" });
    await admin.close();
    proxy.state.down = true;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(here, "spool/crash-child.fixture.ts")],
      {
        cwd: path.resolve(here, ".."),
        env: {
          ...process.env,
          LABTRACK_URL: proxy.url,
          LABTRACK_TOKEN: server.adminToken,
          LABTRACK_RUN_ID: run.id,
          LABTRACK_SPOOL_DIR: spoolDir,
          STEPS: "5000",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", () => {
        if (output.includes("spooled 5000")) resolve();
      });
      child.once("exit", () => reject(new Error(`the script exited first:\n${output}`)));
    });
    child.kill("SIGKILL");
    await exited;
    expect((await stored(run.id, "loss")).steps).toEqual([]);

    proxy.state.down = false;
    const client = createClient({ url: proxy.url, token: server.adminToken, spoolDir, flushIntervalMs: 20 });
    const again = await client.attachRun(run.id);
    expect(again.stats.onDisk).toBe(5_000);
    await again.flush();
    const { steps, count } = await stored(run.id, "loss");
    expect(steps).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    expect(count).toBe(5_000);
    await client.close();
  });
});
