/**
 * Whole-series reads of a page, in the order the charts asked for them (the charts in view, top
 * first) and at most two at a time; the very first goes alone. Six charts of 50 runs asking at once
 * shared the server (two cores) and the network between six 900 kB answers, so the first chart
 * waited for nearly all of them; one after another, it waits for its own.
 */
export function createSeriesRequestQueue(limit = 2) {
  const waiting: (() => void)[] = [];
  let inFlight = 0;
  let answered = 0;
  const capacity = () => (answered === 0 ? 1 : limit);
  const next = () => {
    while (inFlight < capacity() && waiting.length > 0) {
      inFlight += 1;
      waiting.shift()?.();
    }
  };
  return async function inTurn<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await new Promise<void>((resolve, reject) => {
      const start = () => {
        signal?.removeEventListener("abort", abort);
        resolve();
      };
      const abort = () => {
        const index = waiting.indexOf(start);
        if (index >= 0) waiting.splice(index, 1);
        reject(signal?.reason ?? new DOMException("aborted", "AbortError"));
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener("abort", abort, { once: true });
      waiting.push(start);
      next();
    });
    try {
      const result = await work();
      answered += 1;
      return result;
    } finally {
      inFlight -= 1;
      next();
    }
  };
}
