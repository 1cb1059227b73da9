import { describe, expect, it } from "vitest";
import { groupMetricsByPrefix } from "./metric-groups.ts";

describe("metric sections", () => {
  it("groups by prefix in train, val, test, other, sys order", () => {
    const groups = groupMetricsByPrefix([
      "sys/gpu_util",
      "val/loss",
      "lr",
      "train/loss",
      "custom/x",
      "train/acc",
    ]);
    expect(groups).toEqual([
      { section: "train", keys: ["train/acc", "train/loss"] },
      { section: "val", keys: ["val/loss"] },
      { section: "charts", keys: ["lr"] },
      { section: "custom", keys: ["custom/x"] },
      { section: "sys", keys: ["sys/gpu_util"] },
    ]);
  });
});
