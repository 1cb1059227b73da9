import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireDataDirLock, DataDirLockedError } from "./data-dir-lock.ts";

describe("acquireDataDirLock", () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-lock-"));
    file = path.join(dir, "pgdata.lock");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("writes this process's pid and removes the file on release", () => {
    const lock = acquireDataDirLock(file);
    expect(readFileSync(file, "utf8").trim()).toBe(String(process.pid));
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it("refuses a directory whose lock belongs to a live process, naming that process", () => {
    const holder = spawn("sleep", ["30"]);
    try {
      writeFileSync(file, `${holder.pid}\n`);
      expect(() => acquireDataDirLock(file)).toThrow(DataDirLockedError);
      expect(() => acquireDataDirLock(file)).toThrow(`process ${holder.pid}`);
      expect(readFileSync(file, "utf8").trim()).toBe(String(holder.pid));
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("takes over the lock of a process that died without releasing it", () => {
    const gone = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
    writeFileSync(file, gone.stdout);
    const lock = acquireDataDirLock(file);
    expect(readFileSync(file, "utf8").trim()).toBe(String(process.pid));
    lock.release();
  });

  it("takes over an empty or unreadable lock file (a crash while writing it)", () => {
    writeFileSync(file, "");
    acquireDataDirLock(file).release();
    expect(existsSync(file)).toBe(false);
  });
});
