import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitOf, freePort, startApi } from "./api-process.ts";

describe("tracker-api as a process on the embedded database", () => {
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-startup-"));
    port = await freePort();
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("creates an admin token on first start, prints a sign-in link, stops on SIGTERM and keeps its data", async () => {
    const env = { LABTRACK_PORT: String(port), LABTRACK_DATA_DIR: dataDir };
    const first = await startApi(env);
    const tokenFile = path.join(dataDir, "admin.token");
    const token = (await readFile(tokenFile, "utf8")).trim();
    expect(first.output()).toContain(`Sign in: http://127.0.0.1:${port}/login#token=${token}`);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    const url = `http://127.0.0.1:${port}`;
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true, database: "pglite" });
    const created = await fetch(`${url}/trpc/runs.create`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ project: "persist", name: "survives-restart" }),
    });
    expect(created.status).toBe(200);
    const exited = exitOf(first.child);
    first.child.kill("SIGTERM");
    expect(await exited).toBe(0);

    const second = await startApi(env);
    expect(second.output()).toContain(`login#token=${token}`);
    const list = await fetch(
      `${url}/trpc/runs.list?input=${encodeURIComponent(JSON.stringify({ project: "persist" }))}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    const body = (await list.json()) as { result: { data: { runs: { name: string }[] } } };
    expect(body.result.data.runs.map((r) => r.name)).toEqual(["survives-restart"]);
    const stopped = exitOf(second.child);
    second.child.kill("SIGTERM");
    expect(await stopped).toBe(0);
    // Two cold starts of the embedded database: generous on a loaded machine.
  }, 300_000);

  it("refuses to start with a bad environment and names the variable", async () => {
    await expect(startApi({ LABTRACK_PORT: "not-a-port", LABTRACK_DATA_DIR: dataDir })).rejects.toThrow(
      /LABTRACK_PORT/,
    );
  });
});
