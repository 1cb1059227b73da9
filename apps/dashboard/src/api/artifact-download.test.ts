import { describe, expect, it } from "vitest";
import { artifactUrl, readHead } from "./artifact-download.ts";

function streamed(chunks: number[][]): Response {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next && !cancelled) controller.enqueue(new Uint8Array(next));
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return new Response(body);
}

describe("artifact download", () => {
  it("encodes each path segment, keeping the slashes", () => {
    expect(artifactUrl("r1", "plots/epoch 3/#1.png")).toBe("/api/artifacts/r1/plots/epoch%203/%231.png");
  });

  it("reads at most the limit and says when there was more", async () => {
    const head = await readHead(
      streamed([
        [1, 2, 3],
        [4, 5, 6],
        [7, 8],
      ]),
      5,
    );
    expect([...head.bytes]).toEqual([1, 2, 3, 4, 5]);
    expect(head.truncated).toBe(true);
    const whole = await readHead(streamed([[1, 2], [3]]), 3);
    expect([...whole.bytes]).toEqual([1, 2, 3]);
    expect(whole.truncated).toBe(false);
  });
});
