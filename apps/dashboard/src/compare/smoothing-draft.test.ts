import { describe, expect, it } from "vitest";
import { createSmoothingDraft } from "./smoothing-draft.ts";

describe("smoothing draft", () => {
  it("shows every value at once and hands the charts the latest once per frame", () => {
    const frames: (() => void)[] = [];
    const draft = createSmoothingDraft((work) => frames.push(work));
    const drawn: (number | null)[] = [];
    const shown: (number | null)[] = [];
    draft.subscribe(() => drawn.push(draft.get()));
    draft.subscribeNow(() => shown.push(draft.now()));
    draft.set(0.3);
    draft.set(0.4);
    draft.set(0.5);
    expect(shown).toEqual([0.3, 0.4, 0.5]);
    expect(drawn).toEqual([]);
    expect(frames).toHaveLength(1);
    frames.shift()?.();
    expect(drawn).toEqual([0.5]);
    draft.set(null);
    frames.shift()?.();
    expect(drawn).toEqual([0.5, null]);
  });

  it("draws nothing in a frame whose input went back to the value drawn", () => {
    const frames: (() => void)[] = [];
    const draft = createSmoothingDraft((work) => frames.push(work));
    let calls = 0;
    draft.subscribe(() => calls++);
    draft.set(0.2);
    frames.shift()?.();
    draft.set(0.3);
    draft.set(0.2);
    frames.shift()?.();
    expect(calls).toBe(1);
    expect(draft.get()).toBe(0.2);
  });
});
