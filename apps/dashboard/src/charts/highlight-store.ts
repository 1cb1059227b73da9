import { createContext, useContext, useSyncExternalStore } from "react";

/**
 * The run under the pointer (on a chart or a legend entry), shared by every chart of a page so the
 * same curve stands out everywhere. Outside React state: a hover must not re-render the page.
 */
export interface HighlightStore {
  get(): string | null;
  set(runId: string | null): void;
  subscribe(listener: () => void): () => void;
}

export function createHighlightStore(): HighlightStore {
  let current: string | null = null;
  const listeners = new Set<() => void>();
  return {
    get: () => current,
    set(runId) {
      if (runId === current) return;
      current = runId;
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const HighlightContext = createContext<HighlightStore | null>(null);

export function useHighlightStore(): HighlightStore | null {
  return useContext(HighlightContext);
}

const noStore = () => () => {};

/** The highlighted run, re-rendering the caller when it changes (for small things like the legend). */
export function useHighlightedRun(store: HighlightStore | null): string | null {
  return useSyncExternalStore(store?.subscribe ?? noStore, () => store?.get() ?? null);
}
