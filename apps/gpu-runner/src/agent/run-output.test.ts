import { describe, expect, it } from "vitest";
import type { OutboxEntry } from "./outbox.ts";
import { LineSplitter, LOG_SEQ_PER_ATTEMPT, RunOutput } from "./run-output.ts";

const RUN = "5f0c7a5e-1d1e-4a59-9a43-0c8b6f7f8a11";

function capture(attempt = 1) {
  const entries: OutboxEntry[] = [];
  const output = new RunOutput({
    runId: RUN,
    attempt,
    artifactsDir: "/work/a",
    append: (e) => entries.push(e),
  });
  return { output, entries };
}

describe("RunOutput", () => {
  it("turns report lines into metrics, results and artifact uploads, and other lines into logs", () => {
    const { output, entries } = capture();
    output.line("stdout", "epoch 1 starting");
    output.line("stdout", '@labtrack {"step": 10, "epoch": 1, "metrics": {"val/loss": 0.5, "acc": "NaN"}}');
    output.line("stdout", "@labtrack loss=0.25 lr=1e-3");
    output.line("stdout", '@labtrack {"results": {"test/f1": 0.9}}');
    output.line("stdout", '@labtrack {"artifact": {"path": "checkpoints/last.ckpt", "kind": "checkpoint"}}');
    output.line("stderr", "warning: slow");
    output.flushLogs();
    const metrics = entries.filter((e) => e.t === "metrics");
    expect(metrics.map((e) => e.points.map((p) => [p.key, p.step, p.value, p.epoch]))).toEqual([
      [
        ["val/loss", 10, 0.5, 1],
        ["acc", 10, "NaN", 1],
      ],
      [
        ["loss", 11, 0.25, undefined],
        ["lr", 11, 0.001, undefined],
      ],
    ]);
    expect(entries.find((e) => e.t === "results")).toEqual({
      t: "results",
      runId: RUN,
      results: { "test/f1": 0.9 },
    });
    expect(entries.find((e) => e.t === "artifact")).toEqual({
      t: "artifact",
      runId: RUN,
      path: "checkpoints/last.ckpt",
      kind: "checkpoint",
      file: "/work/a/checkpoints/last.ckpt",
    });
    const lines = entries.flatMap((e) => (e.t === "logs" ? e.lines : []));
    expect(lines.map((l) => [l.seq, l.stream, l.text])).toEqual([
      [0, "stdout", "epoch 1 starting"],
      [1, "stderr", "warning: slow"],
    ]);
  });

  it("keeps a malformed report line as output and says why it was ignored", async () => {
    const { output, entries } = capture();
    output.line("stdout", "@labtrack loss=abc");
    await Promise.resolve();
    output.flushLogs();
    const lines = entries.flatMap((e) => (e.t === "logs" ? e.lines : []));
    expect(lines[1]).toMatchObject({
      stream: "system",
      text: expect.stringMatching(/ignored: metric 'loss'/),
    });
    expect(entries.some((e) => e.t === "metrics")).toBe(false);
  });

  it("numbers a retried attempt's log lines after every earlier attempt's", () => {
    const { output, entries } = capture(3);
    output.line("stdout", "again");
    output.flushLogs();
    expect(entries[0]).toMatchObject({ lines: [{ seq: 2 * LOG_SEQ_PER_ATTEMPT }] });
  });

  it("refuses an artifact path outside the artifacts folder", () => {
    const { output, entries } = capture();
    output.line("stdout", '@labtrack {"artifact": {"path": "../../etc/passwd"}}');
    output.flushLogs();
    expect(entries.some((e) => e.t === "artifact")).toBe(false);
  });
});

describe("LineSplitter", () => {
  it("joins lines split across chunks and strips CR", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.push("a\r\nb");
    splitter.push("c\nd");
    splitter.end();
    expect(lines).toEqual(["a", "bc", "d"]);
  });
  it("sets aside a point the server's schema refuses, with a system line, and keeps the rest", async () => {
    const { output, entries } = capture();
    output.metrics({ "train/loss": 0.5, "bad key": 1 }, { step: 3, epoch: 1 });
    output.metrics({ loss: 1 }, { step: 4, epoch: 3_000_000_000 });
    await new Promise((resolve) => setImmediate(resolve));
    output.flushLogs();
    const points = entries.flatMap((e) => (e.t === "metrics" ? e.points.map((p) => p.key) : []));
    expect(points).toEqual(["train/loss"]);
    const lines = entries.flatMap((e) => (e.t === "logs" ? e.lines.map((l) => l.text) : []));
    expect(lines).toEqual([
      expect.stringMatching(/^@labtrack metric ignored: bad key at step 3: key: /),
      expect.stringMatching(/^@labtrack metric ignored: loss at step 4: epoch: /),
    ]);
  });
});
