import { describe, expect, it } from "vitest";
import { LoadedModelLru } from "./loaded-model-lru.ts";

const model = (name: string, disposed: string[]) => ({ name, dispose: () => disposed.push(name) });

describe("LoadedModelLru", () => {
  it("loads a key once for concurrent callers", async () => {
    const lru = new LoadedModelLru<ReturnType<typeof model>>(2);
    let loads = 0;
    const load = async () => {
      loads += 1;
      return model("a", []);
    };
    const [first, second] = await Promise.all([lru.get("a", load), lru.get("a", load)]);
    expect(loads).toBe(1);
    expect(first).toBe(second);
  });

  it("disposes the least recently used model when over capacity", async () => {
    const disposed: string[] = [];
    const lru = new LoadedModelLru<ReturnType<typeof model>>(2);
    await lru.get("a", async () => model("a", disposed));
    await lru.get("b", async () => model("b", disposed));
    await lru.get("a", async () => model("a-again", disposed)); // a is now the most recent
    await lru.get("c", async () => model("c", disposed));
    await new Promise((resolve) => setImmediate(resolve));
    expect(disposed).toEqual(["b"]);
    expect(lru.keys()).toEqual(["a", "c"]);
  });

  it("forgets a failed load so that the next request retries", async () => {
    const lru = new LoadedModelLru<ReturnType<typeof model>>(2);
    await expect(lru.get("a", () => Promise.reject(new Error("disk full")))).rejects.toThrow("disk full");
    await new Promise((resolve) => setImmediate(resolve));
    expect((await lru.get("a", async () => model("a", []))).name).toBe("a");
  });
});
