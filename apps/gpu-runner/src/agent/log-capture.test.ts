import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { MetricPointInput } from "@labtrack/schemas";
import { eventFileBytes, scalarRecord } from "@labtrack/sdk";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { LogCapture } from "./log-capture.ts";

const log = pino({ level: "silent" });

function capture(cwd: string, watch: string[], intervalMs: number) {
  const sent: MetricPointInput[][] = [];
  const notes: string[] = [];
  const lc = new LogCapture({
    cwd,
    watch,
    send: (p) => sent.push(p),
    note: (t) => notes.push(t),
    log,
    intervalMs,
  });
  return { lc, sent, notes, points: () => sent.flat() };
}

describe("LogCapture", () => {
  it("reads what was written before the process ended once more at stop, so the last epoch is not lost", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "labtrack-capture-"));
    const { lc, points } = capture(cwd, [], 60_000);
    lc.start();
    writeFileSync(
      path.join(cwd, "events.out.tfevents.1.h"),
      eventFileBytes([{ tag: "loss", step: 0, wallTime: 1, value: 2 }]),
    );
    await lc.stop();
    expect(points()).toEqual([{ key: "loss", step: 0, value: 2, time: 1000 }]);
  });

  it("polls while the run goes on, in outbox-sized entries, and names a watched file before it exists", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "labtrack-capture-"));
    const { lc, sent, points } = capture(cwd, ["training.log"], 50);
    lc.start();
    mkdirSync(path.join(cwd, "tb"));
    const file = path.join(cwd, "tb/events.out.tfevents.2.h");
    writeFileSync(
      file,
      eventFileBytes(
        Array.from({ length: 12_000 }, (_, i) => ({ tag: "acc", step: i, wallTime: 1, value: 0.5 })),
      ),
    );
    writeFileSync(path.join(cwd, "training.log"), "epoch,loss\n0,0.25\n");
    await expect.poll(() => points().length, { timeout: 5_000 }).toBe(12_001);
    expect(Math.max(...sent.map((entry) => entry.length))).toBe(5_000);
    appendFileSync(file, scalarRecord({ tag: "acc", step: 12_000, wallTime: 2, value: 1 }));
    await expect.poll(() => points().length, { timeout: 5_000 }).toBe(12_002);
    await lc.stop();
    expect(new Set(points().map((p) => p.key))).toEqual(new Set(["tb/acc", "loss"]));
  });
});
