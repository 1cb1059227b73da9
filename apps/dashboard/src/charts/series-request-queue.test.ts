import { describe, expect, it } from "vitest";
import { createSeriesRequestQueue } from "./series-request-queue.ts";

const deferred = () => {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("series requests in turn", () => {
  it("sends the first alone, then two at a time, in the order asked", async () => {
    const inTurn = createSeriesRequestQueue(2);
    const started: number[] = [];
    const gates = [0, 1, 2, 3].map(() => deferred());
    const done = gates.map((gate, i) =>
      inTurn(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0]);
    gates[0]?.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[2]?.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[1]?.resolve();
    gates[3]?.resolve();
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3]);
  });

  it("drops a request aborted while it waits, and the next one takes its turn", async () => {
    const inTurn = createSeriesRequestQueue(1);
    const first = deferred();
    const started: string[] = [];
    const a = inTurn(async () => {
      started.push("a");
      await first.promise;
    });
    const controller = new AbortController();
    const b = inTurn(async () => void started.push("b"), controller.signal);
    const c = inTurn(async () => void started.push("c"));
    controller.abort();
    await expect(b).rejects.toBeDefined();
    first.resolve();
    await a;
    await c;
    expect(started).toEqual(["a", "c"]);
  });

  it("goes on after a failed request", async () => {
    const inTurn = createSeriesRequestQueue(1);
    await expect(inTurn(async () => Promise.reject(new Error("500")))).rejects.toThrow("500");
    expect(await inTurn(async () => 7)).toBe(7);
  });
});
