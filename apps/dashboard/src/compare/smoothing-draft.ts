/**
 * The smoothing slider's value while it is dragged, outside React state: a drag step re-renders
 * the slider and the charts, not the whole Compare page (its 50 run queries, legend and tables).
 * `now` follows every input event; `get`, what the charts draw, at most once per animation frame,
 * so one frame does one redraw however many input events it saw. null: no drag in progress.
 */
export interface SmoothingDraft {
  now(): number | null;
  get(): number | null;
  set(value: number | null): void;
  subscribeNow(listener: () => void): () => void;
  subscribe(listener: () => void): () => void;
}

const nextFrame =
  typeof requestAnimationFrame === "function"
    ? (work: () => void) => requestAnimationFrame(work)
    : (work: () => void) => setTimeout(work, 16);

export function createSmoothingDraft(frame: (work: () => void) => unknown = nextFrame): SmoothingDraft {
  let immediate: number | null = null;
  let drawn: number | null = null;
  let scheduled = false;
  const nowListeners = new Set<() => void>();
  const listeners = new Set<() => void>();
  const publish = () => {
    scheduled = false;
    if (drawn === immediate) return;
    drawn = immediate;
    for (const listener of listeners) listener();
  };
  const listen = (set: Set<() => void>) => (listener: () => void) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  return {
    now: () => immediate,
    get: () => drawn,
    set(value) {
      if (value === immediate) return;
      immediate = value;
      for (const listener of nowListeners) listener();
      if (scheduled) return;
      scheduled = true;
      frame(publish);
    },
    subscribeNow: listen(nowListeners),
    subscribe: listen(listeners),
  };
}
