import { describe, expect, it } from "vitest";
import { createEarlyStopping, createReduceLrOnPlateau, resolveMonitorMode } from "./training-callbacks.ts";

describe("resolveMonitorMode", () => {
  it("minimises losses and maximises everything else in auto mode", () => {
    expect(resolveMonitorMode("val_loss")).toBe("min");
    expect(resolveMonitorMode("val/Loss", "auto")).toBe("min");
    expect(resolveMonitorMode("val_accuracy")).toBe("max");
    expect(resolveMonitorMode("val_loss", "max")).toBe("max");
  });
});

describe("createEarlyStopping", () => {
  it("stops after `patience` epochs without improvement and remembers the best epoch", () => {
    const es = createEarlyStopping({ monitor: "val_loss", mode: "auto", patience: 2 });
    const results = [1.0, 0.8, 0.85, 0.9].map((v, epoch) => es.update(epoch, { val_loss: v }));
    expect(results).toEqual([
      { improved: true, stop: false },
      { improved: true, stop: false },
      { improved: false, stop: false },
      { improved: false, stop: true },
    ]);
    expect(es.bestEpoch).toBe(1);
    expect(es.bestValue).toBe(0.8);
    expect(es.stoppedEpoch).toBe(3);
  });

  it("maximises accuracy-like metrics", () => {
    const es = createEarlyStopping({ monitor: "val_accuracy", mode: "auto", patience: 1 });
    expect(es.mode).toBe("max");
    es.update(0, { val_accuracy: 0.5 });
    expect(es.update(1, { val_accuracy: 0.6 })).toEqual({ improved: true, stop: false });
    expect(es.update(2, { val_accuracy: 0.55 })).toEqual({ improved: false, stop: true });
  });

  it("requires an improvement larger than minDelta", () => {
    const es = createEarlyStopping({ monitor: "loss", mode: "min", patience: 1, minDelta: 0.1 });
    es.update(0, { loss: 1 });
    expect(es.update(1, { loss: 0.95 })).toEqual({ improved: false, stop: true });
    expect(es.bestValue).toBe(1);
  });

  it("does not stop on the first epoch, nor on epochs without the metric", () => {
    const es = createEarlyStopping({ monitor: "val_loss", mode: "min", patience: 0 });
    expect(es.update(0, { val_loss: Number.NaN })).toEqual({ improved: false, stop: false });
    expect(es.update(1, { loss: 1 })).toEqual({ improved: false, stop: false });
    expect(es.bestEpoch).toBeNull();
    expect(es.update(2, { val_loss: Number.NaN })).toEqual({ improved: false, stop: true });
  });

  it("resumes from a JSON round trip of its state", () => {
    const values = [1.0, 0.9, 0.95, 0.97, 0.99];
    const continuous = createEarlyStopping({ monitor: "val_loss", mode: "min", patience: 3 });
    const expected = values.map((v, e) => continuous.update(e, { val_loss: v }));

    const first = createEarlyStopping({ monitor: "val_loss", mode: "min", patience: 3 });
    const before = values.slice(0, 3).map((v, e) => first.update(e, { val_loss: v }));
    const saved = JSON.parse(JSON.stringify(first.state()));
    const resumed = createEarlyStopping({ monitor: "val_loss", mode: "min", patience: 3 });
    resumed.restore(saved);
    const after = values.slice(3).map((v, i) => resumed.update(i + 3, { val_loss: v }));
    expect([...before, ...after]).toEqual(expected);
    expect(resumed.bestEpoch).toBe(1);
    expect(resumed.stoppedEpoch).toBe(4);
  });

  it("rejects a negative patience", () => {
    expect(() => createEarlyStopping({ monitor: "loss", mode: "min", patience: -1 })).toThrow(RangeError);
  });
});

describe("createReduceLrOnPlateau", () => {
  const options = {
    monitor: "val_loss",
    mode: "auto",
    factor: 0.5,
    patience: 2,
    minLr: 0.01,
    cooldown: 1,
  } as const;

  it("reduces the lr like Keras, with cooldown and a floor", () => {
    const plateau = createReduceLrOnPlateau(options);
    let lr = 0.1;
    const lrs: number[] = [];
    for (let epoch = 0; epoch <= 10; epoch++) {
      lr = plateau.update(epoch, { val_loss: 1 }, lr);
      lrs.push(lr);
    }
    const expected = [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125, 0.01, 0.01, 0.01];
    for (const [i, v] of lrs.entries()) expect(v).toBeCloseTo(expected[i] ?? Number.NaN, 12);
  });

  it("keeps the lr while the metric improves by more than minDelta", () => {
    const plateau = createReduceLrOnPlateau({ ...options, minDelta: 0.01, patience: 1, cooldown: 0 });
    expect(plateau.update(0, { val_loss: 1 }, 0.1)).toBe(0.1);
    expect(plateau.update(1, { val_loss: 0.9 }, 0.1)).toBe(0.1);
    expect(plateau.update(2, { val_loss: 0.895 }, 0.1)).toBeCloseTo(0.05, 12);
    expect(plateau.bestValue).toBe(0.9);
    expect(plateau.update(3, { accuracy: 0.5 }, 0.05)).toBe(0.05);
  });

  it("resumes from a JSON round trip of its state", () => {
    const losses = [1, 1, 1, 1, 0.5, 0.6, 0.7, 0.8];
    const run = (split: number) => {
      let plateau = createReduceLrOnPlateau(options);
      let lr = 0.1;
      return losses.map((loss, epoch) => {
        if (epoch === split) {
          const saved = JSON.parse(JSON.stringify(plateau.state()));
          plateau = createReduceLrOnPlateau(options);
          plateau.restore(saved);
        }
        lr = plateau.update(epoch, { val_loss: loss }, lr);
        return lr;
      });
    };
    expect(run(3)).toEqual(run(-1));
    expect(run(6)).toEqual(run(-1));
  });

  it("rejects a factor that would not reduce", () => {
    expect(() => createReduceLrOnPlateau({ ...options, factor: 1 })).toThrow(
      "factor must be in (0, 1), got 1",
    );
  });
});
