import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DiskSpool } from "./disk-spool.ts";

type Entry = { run: string; n: number };

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "spool-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("DiskSpool", () => {
  it("sends entries in order, batching only those that belong together", async () => {
    const sent: Entry[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const spool = new DiskSpool<Entry>({
      dir: tempDir(),
      send: async (entries) => {
        await gate;
        sent.push(entries);
      },
      batchOf: (head, next) => head.run === next.run,
    });
    for (const [run, n] of [
      ["a", 1],
      ["a", 2],
      ["b", 3],
      ["b", 4],
      ["a", 5],
    ] as const) {
      spool.append({ run, n });
    }
    release();
    expect(await spool.drained(2_000)).toBe(true);
    // Consecutive entries of the same run travel together; order is kept across batches.
    expect(sent.flat().map((e) => e.n)).toEqual([1, 2, 3, 4, 5]);
    expect(sent.every((batch) => batch.every((e) => e.run === batch[0]!.run))).toBe(true);
    await spool.close();
  });

  it("keeps what the server did not take and replays it, in order, after a restart", async () => {
    const dir = tempDir();
    let serverUp = false;
    const received: number[] = [];
    const send = async (entries: Entry[]) => {
      if (!serverUp) throw new Error("ECONNREFUSED");
      received.push(...entries.map((e) => e.n));
    };
    const first = new DiskSpool<Entry>({ dir, send, retryDelayMs: () => 20 });
    for (let n = 1; n <= 5; n++) first.append({ run: "a", n });
    expect(await first.drained(100)).toBe(false);
    await first.close();

    serverUp = true;
    const second = new DiskSpool<Entry>({ dir, send, retryDelayMs: () => 20 });
    expect(second.backlog).toBe(5);
    second.append({ run: "a", n: 6 });
    expect(await second.drained(2_000)).toBe(true);
    expect(received).toEqual([1, 2, 3, 4, 5, 6]);
    await second.close();

    // Once everything is acknowledged the file starts over, and nothing is replayed again.
    expect(readFileSync(path.join(dir, "spool.jsonl"), "utf8")).toBe("");
    const third = new DiskSpool<Entry>({ dir, send });
    expect(third.backlog).toBe(0);
    await third.close();
  });

  it("retries while the server is away and drops a batch the server refuses for good", async () => {
    const received: number[] = [];
    let calls = 0;
    const spool = new DiskSpool<Entry>({
      dir: tempDir(),
      send: async (entries) => {
        calls += 1;
        if (calls <= 2) throw new Error("ECONNRESET");
        if (entries[0]!.n === 2) throw new Error("BAD_REQUEST");
        received.push(...entries.map((e) => e.n));
      },
      isRetryable: (error) => (error as Error).message !== "BAD_REQUEST",
      retryDelayMs: () => 10,
    });
    spool.append({ run: "a", n: 1 });
    spool.append({ run: "b", n: 2 });
    spool.append({ run: "c", n: 3 });
    expect(await spool.drained(2_000)).toBe(true);
    expect(received).toEqual([1, 3]);
    await spool.close();
  });

  it("ignores a torn last line left by a crash mid-write", async () => {
    const dir = tempDir();
    const received: number[] = [];
    const send = async (entries: Entry[]) => {
      received.push(...entries.map((e) => e.n));
    };
    const blocked = new DiskSpool<Entry>({ dir, send: () => Promise.reject(new Error("down")) });
    blocked.append({ run: "a", n: 1 });
    await blocked.close();
    appendFileSync(path.join(dir, "spool.jsonl"), '{"run":"a","n":');
    const again = new DiskSpool<Entry>({ dir, send });
    expect(await again.drained(2_000)).toBe(true);
    again.append({ run: "a", n: 2 });
    expect(await again.drained(2_000)).toBe(true);
    expect(received).toEqual([1, 2]);
    await again.close();
  });
});
