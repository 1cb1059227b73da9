import { describe, expect, it } from "vitest";
import { seriesCsvFileName, seriesCsvHeader, seriesCsvRows } from "./series-csv.ts";
import type { SeriesData } from "./series-data.ts";

const A = "0b6f6f7e-1111-4aaa-8bbb-000000000001";
const run: SeriesData = {
  runId: A,
  key: "val/loss",
  steps: [0, 10, 20],
  values: [1, Number.NaN, Number.POSITIVE_INFINITY],
  times: [Date.UTC(2026, 11, 1, 10), Date.UTC(2026, 11, 1, 10, 0, 1), Date.UTC(2026, 11, 1, 10, 0, 2)],
  epochs: [0, null, 1],
  attempts: [1, 1, 1],
  total: 3,
  downsampled: false,
};

describe("a chart's series as CSV", () => {
  it("writes a line per point with run, step, epoch, wall time and value; NaN and infinity by name", () => {
    const opts = { runNames: new Map([[A, 'resnet, "lr" 0.1']]), smoothing: 0 };
    expect(seriesCsvHeader(opts)).toBe("run_name,run_id,step,epoch,wall_time,value\r\n");
    expect(seriesCsvRows([run], opts).split("\r\n")).toEqual([
      `"resnet, ""lr"" 0.1",${A},0,0,2026-12-01T10:00:00.000Z,1`,
      `"resnet, ""lr"" 0.1",${A},10,,2026-12-01T10:00:01.000Z,NaN`,
      `"resnet, ""lr"" 0.1",${A},20,1,2026-12-01T10:00:02.000Z,Infinity`,
      "",
    ]);
  });

  it("adds the smoothed value when smoothing is on, and the group when the chart draws groups", () => {
    const smooth: SeriesData = { ...run, values: [0, 10, 10] };
    const opts = { runNames: new Map(), smoothing: 0.5, groupOf: new Map([[A, "lr=0.1"]]) };
    expect(seriesCsvHeader(opts)).toBe("run_name,run_id,group,step,epoch,wall_time,value,smoothed\r\n");
    const lines = seriesCsvRows([smooth], opts).trim().split("\r\n");
    expect(lines.map((l) => l.split(",").at(-1))).toEqual(["0", String(20 / 3), String(60 / 7)]);
    expect(lines[0]?.startsWith(`${A},${A},lr=0.1,0,`)).toBe(true);
  });

  it("names the file after the metric and the zoomed steps", () => {
    expect(seriesCsvFileName("val/loss", null)).toBe("val_loss.csv");
    expect(seriesCsvFileName("train/loss", { min: 200, max: 900 })).toBe("train_loss-steps-200-900.csv");
  });
});
