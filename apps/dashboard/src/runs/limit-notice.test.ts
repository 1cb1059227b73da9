import { describe, expect, it } from "vitest";
import { limitNoticeText } from "./limit-notice.tsx";

describe("the compare-limit notice", () => {
  it("names the run left out, or the first three and how many more", () => {
    expect(limitNoticeText({ runIds: ["x"], unloaded: 0 }, ["sweep-51"], 50)).toBe(
      "Compare takes at most 50 runs: sweep-51 was not added. Unselect some runs to make room for others.",
    );
    expect(limitNoticeText({ runIds: ["a", "b", "c", "d"], unloaded: 6 }, ["s1", "s2", "s3"], 50)).toBe(
      "Compare takes at most 50 runs: 10 runs were not added (s1, s2, s3 and 7 more). Unselect some runs to make room for others.",
    );
  });
});
