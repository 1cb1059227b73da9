import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseNvidiaSmiCsv, queryGpus } from "./nvidia-smi.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`./nvidia-smi.fixtures/${name}`, import.meta.url), "utf8");

describe("parseNvidiaSmiCsv", () => {
  it("reads index, name, memory and utilisation of each GPU", () => {
    expect(parseNvidiaSmiCsv(fixture("two-a100.csv"))).toEqual([
      {
        index: 0,
        name: "NVIDIA A100-SXM4-80GB",
        uuid: "GPU-5c3a2b1e-7f0d-4c4e-9a1b-2f6e8d9c0a11",
        memoryMb: 81920,
        memoryUsedMb: 4,
        utilizationPercent: 0,
      },
      expect.objectContaining({ index: 1, memoryUsedMb: 61442, utilizationPercent: 97 }),
    ]);
  });

  it("treats [N/A] and [Not Supported] as unknown values", () => {
    const [rtx, t4] = parseNvidiaSmiCsv(fixture("mixed-na.csv"));
    expect(rtx).toMatchObject({ name: "NVIDIA GeForce RTX 3090", memoryMb: 24576, utilizationPercent: null });
    expect(t4).toMatchObject({ name: "Tesla T4", memoryUsedMb: null, utilizationPercent: 12 });
  });

  it("refuses output that is not the GPU table, such as the no-driver message", () => {
    expect(() => parseNvidiaSmiCsv(fixture("no-driver.txt"))).toThrow(/nvidia-smi line 1/);
  });

  it("reports no GPUs when nvidia-smi is missing", async () => {
    expect(await queryGpus("/nonexistent/nvidia-smi")).toEqual([]);
  });
});
