import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CsvLogReader, parseLogNumber, splitCsvLine } from "./csv-log-reader.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const tmpFile = (name: string) => path.join(mkdtempSync(path.join(tmpdir(), "labtrack-csv-")), name);

describe("CsvLogReader", () => {
  it("reads a Keras CSVLogger file: epoch as step and epoch, one metric per column, nan/inf kept", async () => {
    const rows = await new CsvLogReader(path.join(FIXTURES, "keras-csvlogger.csv")).read();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({
      step: 0,
      epoch: 0,
      values: {
        accuracy: 0.5546875,
        loss: 0.9012345671653748,
        val_accuracy: 0.6000000238418579,
        val_loss: 0.800000011920929,
      },
    });
    expect(rows[1]?.values.val_loss).toBeNaN();
    expect(rows[2]?.values.val_loss).toBe(Number.POSITIVE_INFINITY);
  });

  it("reads seed 004's logs/*.csv history with its lr column", async () => {
    const reader = new CsvLogReader(path.join(FIXTURES, "seed004-experiment/logs/training_history.csv"));
    const rows = await reader.read();
    expect(reader.columns).toEqual(["accuracy", "loss", "lr", "val_accuracy", "val_loss"]);
    expect(rows.map((r) => [r.step, r.values.lr])).toEqual([
      [0, 0.0010000000474974513],
      [1, 0.0010000000474974513],
      [2, 0.00010000000474974513],
    ]);
    expect(rows[2]?.values.val_loss).toBe(Number.NEGATIVE_INFINITY);
  });

  it("uses a step column when there is one, and skips cells that are not numbers", async () => {
    const file = tmpFile("log.csv");
    writeFileSync(file, 'step,epoch,loss,note\r\n100,0,0.5,"warm, up"\r\n200,1,,"[1, 2]"\r\n');
    const rows = await new CsvLogReader(file).read();
    expect(rows).toEqual([
      { step: 100, epoch: 0, values: { loss: 0.5 } },
      { step: 200, epoch: 1, values: {} },
    ]);
  });

  it("tails a growing file: an incomplete last line waits, nothing is read twice", async () => {
    const file = tmpFile("history.csv");
    writeFileSync(file, "epoch,loss\n0,0.9\n1,0.");
    const reader = new CsvLogReader(file);
    expect((await reader.read()).map((r) => r.step)).toEqual([0]);
    expect(await reader.read()).toEqual([]);
    appendFileSync(file, "7\n2,0.5\n");
    expect(await reader.read()).toEqual([
      { step: 1, epoch: 1, values: { loss: 0.7 } },
      { step: 2, epoch: 2, values: { loss: 0.5 } },
    ]);
  });

  it("starts over when the file is rewritten shorter (a new CSVLogger without append)", async () => {
    const file = tmpFile("history.csv");
    writeFileSync(file, "epoch,loss\n0,0.9\n1,0.8\n");
    const reader = new CsvLogReader(file);
    await reader.read();
    writeFileSync(file, "epoch,acc\n0,0.1\n");
    expect(await reader.read()).toEqual([{ step: 0, epoch: 0, values: { acc: 0.1 } }]);
  });
});

describe("CSV cells", () => {
  it("splits quoted fields as Python's csv module writes them", () => {
    expect(splitCsvLine('a,"b,c","say ""hi""",')).toEqual(["a", "b,c", 'say "hi"', ""]);
  });

  it("parses numbers as Python prints them", () => {
    expect(parseLogNumber("1e-05")).toBe(1e-5);
    expect(parseLogNumber("nan")).toBeNaN();
    expect(parseLogNumber("-inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(parseLogNumber("inf")).toBe(Number.POSITIVE_INFINITY);
    expect(parseLogNumber("[1, 2]")).toBeNull();
    expect(parseLogNumber("")).toBeNull();
    expect(parseLogNumber("0x10")).toBeNull();
  });
});
