import type { MetricPointInput } from "@labtrack/schemas";
import { describe, expect, it } from "vitest";
import { MetricBatcher } from "./metric-batcher.ts";

describe("MetricBatcher", () => {
  it("sends full batches at once, in order, and encodes non-finite values for JSON", async () => {
    const sent: MetricPointInput[][] = [];
    const batcher = new MetricBatcher({
      send: async (points) => void sent.push(points),
      maxBatch: 3,
      flushIntervalMs: 60_000,
    });
    for (let step = 0; step < 7; step++)
      batcher.add({ key: "loss", step, value: step === 6 ? Number.NaN : step });
    await batcher.flush();
    expect(sent.map((b) => b.map((p) => p.step))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(sent[2]?.[0]?.value).toBe("NaN");
    expect(batcher.pending).toBe(0);
  });

  it("flushes in the background after the interval", async () => {
    const sent: MetricPointInput[][] = [];
    const batcher = new MetricBatcher({
      send: async (points) => void sent.push(points),
      flushIntervalMs: 20,
    });
    batcher.add({ key: "acc", step: 0, value: 0.5 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent).toHaveLength(1);
  });

  it("keeps a failed batch and retries it before newer points", async () => {
    const sent: number[][] = [];
    let failures = 1;
    const errors: unknown[] = [];
    const batcher = new MetricBatcher({
      send: async (points) => {
        if (failures-- > 0) throw new Error("server down");
        sent.push(points.map((p) => p.step));
      },
      flushIntervalMs: 10,
      onError: (error) => errors.push(error),
    });
    batcher.add({ key: "loss", step: 0, value: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    batcher.add({ key: "loss", step: 1, value: 1 });
    await batcher.flush();
    expect(errors).toHaveLength(1);
    expect(sent.flat()).toEqual([0, 1]);
  });
});
