import { describe, expect, it } from "vitest";
import { metricDirection } from "./metric-direction.ts";

describe("metricDirection", () => {
  it("knows losses and errors go down and scores go up", () => {
    expect(metricDirection("train/loss")).toBe("min");
    expect(metricDirection("val_loss")).toBe("min");
    expect(metricDirection("val/mae")).toBe("min");
    expect(metricDirection("val/accuracy")).toBe("max");
    expect(metricDirection("val_acc")).toBe("max");
    expect(metricDirection("test/f1")).toBe("max");
    expect(metricDirection("val/top5")).toBe("max");
  });

  it("names no best for what is not a score", () => {
    expect(metricDirection("lr")).toBeNull();
    expect(metricDirection("train/lr")).toBeNull();
    expect(metricDirection("sys/gpu_util")).toBeNull();
    expect(metricDirection("epoch_time")).toBeNull();
    // Words that merely contain a score's letters are not scores.
    expect(metricDirection("lossless_ratio")).toBeNull();
    expect(metricDirection("accumulate_steps")).toBeNull();
  });
});
