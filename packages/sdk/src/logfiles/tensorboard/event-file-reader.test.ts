import { execFileSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EventFileReader } from "./event-file-reader.ts";
import { eventFileBytes, fileVersionRecord, scalarRecord } from "./event-file-writer.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const T0 = 1764576000;
const tmp = () => mkdtempSync(path.join(tmpdir(), "labtrack-tfevents-"));
const only = (dir: string) => path.join(dir, readdirSync(dir)[0] ?? "");

describe("EventFileReader on the checked-in fixtures (written byte for byte per record_writer.py)", () => {
  it("reads Keras' TF2 tensor scalars, metadata only on each tag's first value, float32 exact, NaN kept", async () => {
    const train = await new EventFileReader(only(path.join(FIXTURES, "keras-logdir/train"))).read();
    expect(train).toEqual([
      { tag: "epoch_loss", step: 0, wallTime: T0 + 10, value: Math.fround(0.9) },
      { tag: "epoch_accuracy", step: 0, wallTime: T0 + 10, value: Math.fround(0.55) },
      { tag: "epoch_loss", step: 1, wallTime: T0 + 20, value: Math.fround(0.61) },
      { tag: "epoch_accuracy", step: 1, wallTime: T0 + 20, value: Math.fround(0.72) },
      { tag: "epoch_loss", step: 2, wallTime: T0 + 30, value: Math.fround(0.43) },
      { tag: "epoch_accuracy", step: 2, wallTime: T0 + 30, value: Math.fround(0.81) },
    ]);
    const validation = await new EventFileReader(only(path.join(FIXTURES, "keras-logdir/validation"))).read();
    expect(validation.filter((s) => s.tag === "epoch_loss").map((s) => s.value)).toEqual([
      Math.fround(0.8),
      Math.fround(0.66),
      Number.NaN,
    ]);
  });

  it("reads Lightning's simple_value scalars and skips hparams, images and histograms", async () => {
    const scalars = await new EventFileReader(only(path.join(FIXTURES, "lightning-logdir/version_0"))).read();
    expect(new Set(scalars.map((s) => s.tag))).toEqual(
      new Set(["train_loss", "val_loss", "val_acc", "epoch"]),
    );
    expect(scalars.filter((s) => s.tag === "train_loss").map((s) => [s.step, s.value])).toEqual([
      [0, Math.fround(1.1)],
      [10, Math.fround(1 / 11 + 0.1)],
      [20, Math.fround(1 / 21 + 0.1)],
      [30, Number.NaN],
    ]);
    expect(scalars.find((s) => s.tag === "val_acc" && s.step === 39)).toEqual({
      tag: "val_acc",
      step: 39,
      wallTime: T0 + 39.25,
      value: Math.fround(0.75),
    });
  });

  it("writes the same bytes as the independent Python stdlib writer", () => {
    const dir = tmp();
    execFileSync("python3", [path.join(FIXTURES, "make_fixtures.py"), dir]);
    for (const split of ["keras-logdir/train", "keras-logdir/validation", "lightning-logdir/version_0"]) {
      expect(readFileSync(only(path.join(dir, split)))).toEqual(
        readFileSync(only(path.join(FIXTURES, split))),
      );
    }
    const ours = eventFileBytes(
      [
        {
          tag: "epoch_loss",
          step: 0,
          wallTime: T0 + 10,
          value: 0.8,
          encoding: "tensor_content_f32",
          withMetadata: true,
        },
        {
          tag: "epoch_accuracy",
          step: 0,
          wallTime: T0 + 10,
          value: 0.6,
          encoding: "tensor_content_f32",
          withMetadata: true,
        },
      ],
      T0,
    );
    const python = readFileSync(only(path.join(FIXTURES, "keras-logdir/validation")));
    expect(ours).toEqual(python.subarray(0, ours.length));
  });
});

describe("EventFileReader", () => {
  it("reads every scalar encoding: simple_value, tensor_content, float_val, double_val (double kept as double)", async () => {
    const file = path.join(tmp(), "events.out.tfevents.1.host");
    writeFileSync(
      file,
      eventFileBytes([
        { tag: "a", step: 1, wallTime: 1, value: 0.1, encoding: "simple_value" },
        { tag: "b", step: 1, wallTime: 1, value: 0.1, encoding: "tensor_content_f32", withMetadata: true },
        { tag: "c", step: 1, wallTime: 1, value: 0.1, encoding: "float_val", withMetadata: true },
        { tag: "d", step: 1, wallTime: 1, value: 0.1, encoding: "double_val", withMetadata: true },
        { tag: "d", step: 2, wallTime: 2, value: Number.NaN, encoding: "double_val" },
        { tag: "e", step: 2, wallTime: 2, value: 3, encoding: "double_val" },
      ]),
    );
    const scalars = await new EventFileReader(file).read();
    expect(scalars.map((s) => [s.tag, s.step, s.value])).toEqual([
      ["a", 1, Math.fround(0.1)],
      ["b", 1, Math.fround(0.1)],
      ["c", 1, Math.fround(0.1)],
      ["d", 1, 0.1],
      ["d", 2, Number.NaN],
      // A tensor tag never announced as a scalar is not one (TensorBoard would not plot it either).
    ]);
  });

  it("waits for a torn final record, then reads it once complete, reading nothing twice", async () => {
    const file = path.join(tmp(), "events.out.tfevents.2.host");
    const first = scalarRecord({ tag: "loss", step: 0, wallTime: 5, value: 2 });
    const second = scalarRecord({ tag: "loss", step: 1, wallTime: 6, value: 1 });
    writeFileSync(file, Buffer.concat([fileVersionRecord(5), first, second.subarray(0, 7)]));
    const reader = new EventFileReader(file);
    expect((await reader.read()).map((s) => s.step)).toEqual([0]);
    expect(reader.torn).toBe(true);
    expect(await reader.read()).toEqual([]);
    appendFileSync(file, second.subarray(7));
    expect(await reader.read()).toEqual([{ tag: "loss", step: 1, wallTime: 6, value: 1 }]);
    expect(reader.torn).toBe(false);
  });

  it("resumes at a saved offset, remembering which tensor tags are scalars", async () => {
    const file = path.join(tmp(), "events.out.tfevents.3.host");
    writeFileSync(
      file,
      eventFileBytes([
        { tag: "x", step: 0, wallTime: 1, value: 1, encoding: "float_val", withMetadata: true },
      ]),
    );
    const reader = new EventFileReader(file);
    await reader.read();
    appendFileSync(file, scalarRecord({ tag: "x", step: 1, wallTime: 2, value: 0.5, encoding: "float_val" }));
    const resumed = new EventFileReader(file, reader.state());
    expect(await resumed.read()).toEqual([{ tag: "x", step: 1, wallTime: 2, value: 0.5 }]);
  });

  it("reports a CRC mismatch with file and offset, never turning the damaged record into numbers", async () => {
    const file = path.join(tmp(), "events.out.tfevents.4.host");
    const head = Buffer.concat([
      fileVersionRecord(1),
      scalarRecord({ tag: "loss", step: 0, wallTime: 1, value: 1 }),
    ]);
    const damaged = Buffer.from(scalarRecord({ tag: "loss", step: 1, wallTime: 2, value: 0.5 }));
    damaged[damaged.length - 6] = (damaged.at(-6) ?? 0) ^ 0x01;
    writeFileSync(
      file,
      Buffer.concat([head, damaged, scalarRecord({ tag: "loss", step: 2, wallTime: 3, value: 0.25 })]),
    );
    const reader = new EventFileReader(file);
    expect((await reader.read()).map((s) => s.step)).toEqual([0]);
    expect(reader.corrupt?.message).toBe(
      `${file}: CRC-32C mismatch in the record data at byte offset ${head.length}`,
    );
    expect(await reader.read()).toEqual([]);
  });

  it("reads a file larger than one read chunk across chunk boundaries", async () => {
    const file = path.join(tmp(), "events.out.tfevents.5.host");
    const scalars = Array.from({ length: 5_000 }, (_, i) => ({
      tag: "loss",
      step: i,
      wallTime: i,
      value: i / 7,
    }));
    writeFileSync(file, eventFileBytes(scalars));
    // 1000-byte chunks: records straddle every chunk boundary.
    const read = await new EventFileReader(file, undefined, 1000).read();
    expect(read).toHaveLength(5_000);
    expect(read.every((s, i) => s.step === i && s.value === Math.fround(i / 7))).toBe(true);
  });
});
