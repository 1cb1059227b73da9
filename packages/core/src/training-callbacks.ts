/** "auto" picks min for a metric whose name contains "loss", max otherwise. */
export type MonitorMode = "min" | "max" | "auto";

export type EarlyStoppingOptions = {
  monitor: string;
  mode?: MonitorMode;
  /** Epochs without improvement before stopping (Keras default 0). */
  patience?: number;
  /** Smallest change that counts as an improvement (Keras default 0). */
  minDelta?: number;
};

/** JSON-safe: `best` is null until a value has been seen (no Infinity in JSON). */
export type EarlyStoppingState = {
  best: number | null;
  bestEpoch: number | null;
  wait: number;
  stoppedEpoch: number | null;
};

export type EarlyStopping = {
  update(epoch: number, logs: Record<string, number>): { improved: boolean; stop: boolean };
  readonly bestEpoch: number | null;
  readonly bestValue: number | null;
  readonly stoppedEpoch: number | null;
  readonly mode: "min" | "max";
  state(): EarlyStoppingState;
  restore(state: EarlyStoppingState): void;
};

export type ReduceLrOnPlateauOptions = {
  monitor: string;
  mode?: MonitorMode;
  /** New lr = lr * factor; must be below 1 (Keras default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (Keras default 10). */
  patience?: number;
  minLr?: number;
  /** Epochs to wait after a reduction before counting again (Keras default 0). */
  cooldown?: number;
  /** Keras default 1e-4. */
  minDelta?: number;
};

export type ReduceLrOnPlateauState = { best: number | null; wait: number; cooldownCounter: number };

export type ReduceLrOnPlateau = {
  update(epoch: number, logs: Record<string, number>, currentLr: number): number;
  readonly bestValue: number | null;
  readonly mode: "min" | "max";
  state(): ReduceLrOnPlateauState;
  restore(state: ReduceLrOnPlateauState): void;
};

export function resolveMonitorMode(monitor: string, mode: MonitorMode = "auto"): "min" | "max" {
  if (mode !== "auto") return mode;
  return monitor.toLowerCase().includes("loss") ? "min" : "max";
}

function checkCount(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

/** Keras's EarlyStopping without the model: tells the loop when to stop and which epoch was best. */
export function createEarlyStopping(options: EarlyStoppingOptions): EarlyStopping {
  const { monitor, patience = 0 } = options;
  const mode = resolveMonitorMode(monitor, options.mode);
  const minDelta = Math.abs(options.minDelta ?? 0);
  checkCount("patience", patience);
  let s: EarlyStoppingState = { best: null, bestEpoch: null, wait: 0, stoppedEpoch: null };
  const isImprovement = (current: number, best: number | null): boolean => {
    const ref = best ?? (mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
    return mode === "min" ? current + minDelta < ref : current - minDelta > ref;
  };

  return {
    update(epoch, logs) {
      const current = logs[monitor];
      if (current === undefined) return { improved: false, stop: false };
      s.wait += 1;
      if (isImprovement(current, s.best)) {
        s.best = current;
        s.bestEpoch = epoch;
        s.wait = 0;
        return { improved: true, stop: false };
      }
      // Keras never stops on the very first epoch.
      if (s.wait >= patience && epoch > 0) {
        s.stoppedEpoch = epoch;
        return { improved: false, stop: true };
      }
      return { improved: false, stop: false };
    },
    get bestEpoch() {
      return s.bestEpoch;
    },
    get bestValue() {
      return s.best;
    },
    get stoppedEpoch() {
      return s.stoppedEpoch;
    },
    mode,
    state: () => ({ ...s }),
    restore(state) {
      s = { ...state };
    },
  };
}

/** Keras's ReduceLROnPlateau: returns the learning rate to use from the next epoch. */
export function createReduceLrOnPlateau(options: ReduceLrOnPlateauOptions): ReduceLrOnPlateau {
  const { monitor, factor = 0.1, patience = 10, minLr = 0, cooldown = 0 } = options;
  const mode = resolveMonitorMode(monitor, options.mode);
  const minDelta = Math.abs(options.minDelta ?? 1e-4);
  if (!(factor > 0 && factor < 1)) throw new RangeError(`factor must be in (0, 1), got ${factor}`);
  checkCount("patience", patience);
  checkCount("cooldown", cooldown);
  let s: ReduceLrOnPlateauState = { best: null, wait: 0, cooldownCounter: 0 };
  const isImprovement = (current: number, best: number | null): boolean => {
    const ref = best ?? (mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
    return mode === "min" ? current < ref - minDelta : current > ref + minDelta;
  };

  return {
    update(_epoch, logs, currentLr) {
      const current = logs[monitor];
      if (current === undefined) return currentLr;
      if (s.cooldownCounter > 0) {
        s.cooldownCounter -= 1;
        s.wait = 0;
      }
      if (isImprovement(current, s.best)) {
        s.best = current;
        s.wait = 0;
        return currentLr;
      }
      if (s.cooldownCounter > 0) return currentLr;
      s.wait += 1;
      if (s.wait < patience || !(currentLr > minLr)) return currentLr;
      s.cooldownCounter = cooldown;
      s.wait = 0;
      return Math.max(currentLr * factor, minLr);
    },
    get bestValue() {
      return s.best;
    },
    mode,
    state: () => ({ ...s }),
    restore(state) {
      s = { ...state };
    },
  };
}
