import { appendFileSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MetricPointInput } from "@labtrack/schemas";
import { describe, expect, it } from "vitest";
import { LogFilesTail } from "./log-files-tail.ts";
import { eventFileBytes, scalarRecord } from "./tensorboard/event-file-writer.ts";
import { watchRootOf } from "./watch-roots.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const tmp = () => mkdtempSync(path.join(tmpdir(), "labtrack-tail-"));

async function pollAll(tail: LogFilesTail): Promise<MetricPointInput[]> {
  const points: MetricPointInput[] = [];
  await tail.poll((batch) => {
    points.push(...batch);
  });
  return points;
}

describe("LogFilesTail", () => {
  it("keys a Keras log dir's scalars by their folder: train/epoch_loss, validation/epoch_accuracy", async () => {
    const tail = new LogFilesTail([watchRootOf(path.join(FIXTURES, "keras-logdir"), "/")], () => {});
    const points = await pollAll(tail);
    expect(new Set(points.map((p) => p.key))).toEqual(
      new Set([
        "train/epoch_loss",
        "train/epoch_accuracy",
        "validation/epoch_loss",
        "validation/epoch_accuracy",
      ]),
    );
    expect(points.find((p) => p.key === "validation/epoch_loss" && p.step === 2)).toEqual({
      key: "validation/epoch_loss",
      step: 2,
      value: "NaN",
      time: (1764576000 + 30) * 1000,
    });
    expect(await pollAll(tail)).toEqual([]);
  });

  it("gives bare tags for files directly in the root", async () => {
    const tail = new LogFilesTail(
      [watchRootOf(path.join(FIXTURES, "lightning-logdir/version_0"), "/")],
      () => {},
    );
    const keys = new Set((await pollAll(tail)).map((p) => p.key));
    expect(keys).toEqual(new Set(["train_loss", "val_loss", "val_acc", "epoch"]));
  });

  it("follows spec.watch entries: CSV globs relative to the working folder, event folders, deepest root wins", async () => {
    const cwd = tmp();
    mkdirSync(path.join(cwd, "logs"));
    cpSync(
      path.join(FIXTURES, "seed004-experiment/logs/training_history.csv"),
      path.join(cwd, "logs/history.csv"),
    );
    writeFileSync(path.join(cwd, "logs/notes.txt"), "epoch,x\n0,1\n");
    mkdirSync(path.join(cwd, "tb/train"), { recursive: true });
    writeFileSync(
      path.join(cwd, "tb/train/events.out.tfevents.1.h"),
      eventFileBytes([{ tag: "loss", step: 3, wallTime: 9, value: 1 }]),
    );
    const roots = [watchRootOf("logs/*.csv", cwd), watchRootOf("tb", cwd), watchRootOf(cwd, cwd)];
    const tail = new LogFilesTail(roots, () => {});
    const points = await pollAll(tail);
    expect(new Set(points.map((p) => p.key))).toEqual(
      new Set(["accuracy", "loss", "lr", "val_accuracy", "val_loss", "train/loss"]),
    );
    expect(points.filter((p) => p.key === "lr").map((p) => [p.step, p.epoch])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });

  it("picks up new files and appended records on the next poll", async () => {
    const dir = tmp();
    const tail = new LogFilesTail([watchRootOf(dir, dir)], () => {});
    expect(await pollAll(tail)).toEqual([]);
    const file = path.join(dir, "events.out.tfevents.7.h");
    writeFileSync(file, eventFileBytes([{ tag: "acc", step: 0, wallTime: 1, value: 0.5 }]));
    expect((await pollAll(tail)).map((p) => p.step)).toEqual([0]);
    appendFileSync(file, scalarRecord({ tag: "acc", step: 1, wallTime: 2, value: 0.75 }));
    expect(await pollAll(tail)).toEqual([{ key: "acc", step: 1, value: 0.75, time: 2000 }]);
  });

  it("says once that a file is corrupt, and that a tag cannot be a key; spaces become underscores", async () => {
    const dir = tmp();
    const good = eventFileBytes([
      { tag: "learning rate", step: 0, wallTime: 1, value: 0.1 },
      { tag: "x".repeat(300), step: 0, wallTime: 1, value: 1 },
      { tag: "loss", step: -1, wallTime: 1, value: 1 },
    ]);
    const damaged = Buffer.from(scalarRecord({ tag: "loss", step: 1, wallTime: 2, value: 1 }));
    damaged[damaged.length - 1] = (damaged.at(-1) ?? 0) ^ 0xff;
    writeFileSync(path.join(dir, "events.out.tfevents.8.h"), Buffer.concat([good, damaged]));
    const problems: string[] = [];
    const tail = new LogFilesTail([watchRootOf(dir, dir)], (m) => problems.push(m));
    expect((await pollAll(tail)).map((p) => p.key)).toEqual(["learning_rate"]);
    await pollAll(tail);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain("is not a valid metric key");
    expect(problems[1]).toContain("negative or past 2^53");
    expect(problems[2]).toMatch(
      new RegExp(`CRC-32C mismatch in the record data at byte offset ${good.length}$`),
    );
  });
});
