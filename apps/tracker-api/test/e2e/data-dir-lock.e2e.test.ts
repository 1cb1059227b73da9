import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exitOf, freePort, startApi } from "./api-process.ts";

async function runNames(url: string, token: string): Promise<string[]> {
  const input = encodeURIComponent(JSON.stringify({ project: "locked" }));
  const list = await fetch(`${url}/trpc/runs.list?input=${input}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await list.json()) as { result: { data: { runs: { name: string }[] } } };
  return body.result.data.runs.map((r) => r.name);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("one tracker-api per embedded data directory", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-lock-e2e-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("refuses a second process on the same LABTRACK_DATA_DIR, and restarts after a kill -9", async () => {
    const firstPort = await freePort();
    const first = await startApi({ LABTRACK_PORT: String(firstPort), LABTRACK_DATA_DIR: dataDir });
    const url = `http://127.0.0.1:${firstPort}`;
    const token = (await readFile(path.join(dataDir, "admin.token"), "utf8")).trim();
    const created = await fetch(`${url}/trpc/runs.create`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ project: "locked", name: "before-the-crash" }),
    });
    expect(created.status).toBe(200);

    const second = startApi({ LABTRACK_PORT: String(await freePort()), LABTRACK_DATA_DIR: dataDir });
    await expect(second).rejects.toThrow(/exited with 1/);
    await expect(second).rejects.toThrow(/in use by another tracker-api \(process \d+\)/);
    expect(await runNames(url, token)).toEqual(["before-the-crash"]);

    // The server process (tsx's child) holds the lock: kill -9 it, as a crash would.
    const serverPid = Number((await readFile(path.join(dataDir, "pgdata.lock"), "utf8")).trim());
    const exited = exitOf(first.child);
    process.kill(serverPid, "SIGKILL");
    await exited;
    expect(isAlive(serverPid)).toBe(false);

    const thirdPort = await freePort();
    const third = await startApi({ LABTRACK_PORT: String(thirdPort), LABTRACK_DATA_DIR: dataDir });
    expect(await runNames(`http://127.0.0.1:${thirdPort}`, token)).toEqual(["before-the-crash"]);
    const stopped = exitOf(third.child);
    third.child.kill("SIGTERM");
    expect(await stopped).toBe(0);
  }, 300_000);
});
