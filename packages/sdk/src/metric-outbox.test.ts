import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { MetricPointInput } from "@labtrack/schemas";
import { afterEach, describe, expect, it } from "vitest";
import { MetricOutbox } from "./metric-outbox.ts";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "outbox-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const httpError = (status: number) =>
  Object.assign(new Error(`HTTP ${status}`), { data: { httpStatus: status } });

/** A server that stores each (key, step) once, as metrics.log does, and can be taken down. */
function fakeServer() {
  const stored = new Map<string, MetricPointInput>();
  const order: number[] = [];
  const state = { down: false, calls: 0, refuse: (_points: MetricPointInput[]) => false };
  return {
    stored,
    order,
    state,
    send: async (points: MetricPointInput[]) => {
      state.calls += 1;
      await new Promise((resolve) => setImmediate(resolve));
      if (state.down) throw httpError(503);
      if (state.refuse(points)) throw httpError(400);
      for (const p of points) {
        const id = `${p.key}:${p.step}`;
        if (stored.has(id)) continue;
        stored.set(id, p);
        order.push(p.step);
      }
    },
  };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe("MetricOutbox", () => {
  it("keeps 20,000 points through a 503 outage, on disk once it outlasts the memory bound, each once and in order", async () => {
    const server = fakeServer();
    server.state.down = true;
    const outbox = new MetricOutbox({
      send: server.send,
      spoolDir: tempDir(),
      flushIntervalMs: 20,
      maxBatch: 500,
      memoryPoints: 2_000,
      spoolAfterMs: 60_000,
    });
    for (let step = 0; step < 20_000; step++) {
      outbox.add({ key: "loss", step, value: step });
      if (step % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await until(() => outbox.stats.onDisk > 0);
    expect(outbox.stats.inMemory).toBeLessThanOrEqual(2_500);
    expect(server.stored.size).toBe(0);
    server.state.down = false;
    await outbox.flush();
    expect(server.stored.size).toBe(20_000);
    expect(server.order).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(outbox.stats).toMatchObject({ inMemory: 0, onDisk: 0, dropped: 0 });
    expect(outbox.stats.spooled).toBeGreaterThan(0);
    await outbox.close();
  });

  it("counts an outage from when its first failed batch was sent, so a slow failure spools at once", async () => {
    // Each request hangs for 300 ms before the server answers 503: the first failure alone outlasts
    // spoolAfterMs (200 ms), and the points go to disk without waiting for more failures.
    let calls = 0;
    const outbox = new MetricOutbox({
      send: async () => {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 300));
        throw httpError(503);
      },
      spoolDir: tempDir(),
      flushIntervalMs: 10,
      spoolAfterMs: 200,
    });
    outbox.add({ key: "loss", step: 0, value: 1 });
    await until(() => calls > 0);
    await until(() => outbox.stats.onDisk > 0 || calls > 1);
    expect(outbox.stats).toMatchObject({ onDisk: 1, inMemory: 0 });
    await outbox.close();
  });

  it("drops a batch the server refuses (4xx), says so, and delivers the rest", async () => {
    const server = fakeServer();
    server.state.refuse = (points) => points.some((p) => p.step === 3);
    const dropped: MetricPointInput[][] = [];
    const outbox = new MetricOutbox({
      send: server.send,
      spoolDir: tempDir(),
      flushIntervalMs: 10,
      maxBatch: 2,
      onDropped: (points) => dropped.push(points),
    });
    for (let step = 0; step < 6; step++) outbox.add({ key: "loss", step, value: step });
    await outbox.flush();
    expect(dropped.map((b) => b.map((p) => p.step))).toEqual([[2, 3]]);
    expect([...server.order]).toEqual([0, 1, 4, 5]);
    expect(server.state.calls).toBe(3);
    expect(outbox.stats.dropped).toBe(2);
    await outbox.close();
  });

  it("leaves what it could not send in the spool, and a new outbox on the folder sends it", async () => {
    const dir = tempDir();
    const first = fakeServer();
    first.state.down = true;
    const crashed = new MetricOutbox({
      send: first.send,
      spoolDir: dir,
      flushIntervalMs: 10,
      spoolAfterMs: 0,
      attempt: 1,
    });
    for (let step = 0; step < 3_000; step++) crashed.add({ key: "acc", step, value: step / 3_000 });
    await until(() => crashed.stats.onDisk === 3_000);

    const server = fakeServer();
    server.stored.set("acc:0", { key: "acc", step: 0, value: 0 }); // sent once before the crash
    const attempts = new Set<string>();
    const restarted = new MetricOutbox({
      send: (points, attempt) => {
        attempts.add(`${attempt}:${points[0]?.step === 3_000 ? "new" : "replayed"}`);
        return server.send(points);
      },
      spoolDir: dir,
      flushIntervalMs: 10,
      attempt: 2,
    });
    expect(restarted.stats.onDisk).toBe(3_000);
    restarted.add({ key: "acc", step: 3_000, value: 1 });
    await restarted.flush();
    expect(server.stored.size).toBe(3_001);
    expect(server.order).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 1));
    // The replayed points still say which attempt logged them.
    expect([...attempts].sort()).toEqual(["1:replayed", "2:new"]);
    await crashed.close();
    await restarted.close();
  });

  it("never throws into add() when the spool folder cannot be written; the points wait in memory", async () => {
    const server = fakeServer();
    server.state.down = true;
    const file = path.join(tempDir(), "not-a-folder");
    writeFileSync(file, "x");
    const errors: unknown[] = [];
    const outbox = new MetricOutbox({
      send: server.send,
      spoolDir: path.join(file, "spool"),
      flushIntervalMs: 10,
      spoolAfterMs: 0,
      onError: (error) => errors.push(error),
    });
    for (let step = 0; step < 100; step++) outbox.add({ key: "loss", step, value: step });
    await until(() => errors.some((e) => (e as NodeJS.ErrnoException).code !== undefined));
    expect(outbox.stats.inMemory).toBe(100);
    server.state.down = false;
    await outbox.flush();
    expect(server.stored.size).toBe(100);
    await outbox.close();
  });
});
