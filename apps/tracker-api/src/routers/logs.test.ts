import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";

type Tail = { lines: { seq: number; stream: string; text: string }[]; lastSeq: number | null };

describe.each(DB_KINDS)("logs on %s", (kind) => {
  let server: TestServer;
  let runId: string;
  const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);
  const tail = async (input: Record<string, unknown>) =>
    dataOf<Tail>(await call("logs.tail", { runId, ...input }, "query"));

  beforeAll(async () => {
    server = await startTestServer(kind);
    runId = dataOf<{ id: string }>(await call("runs.create", { project: "logs" })).id;
  });
  afterAll(() => server.close());

  it("numbers lines in arrival order and tails them, after a seq and by search", async () => {
    await call("logs.append", {
      runId,
      lines: [{ text: "Epoch 1/10" }, { text: "loss: 0.9", stream: "stdout" }],
    });
    await call("logs.append", { runId, lines: [{ text: "warning: slow disk", stream: "stderr" }] });
    const all = await tail({});
    expect(all.lines.map((l) => [l.seq, l.stream, l.text])).toEqual([
      [0, "stdout", "Epoch 1/10"],
      [1, "stdout", "loss: 0.9"],
      [2, "stderr", "warning: slow disk"],
    ]);
    expect((await tail({ afterSeq: 1 })).lines.map((l) => l.text)).toEqual(["warning: slow disk"]);
    expect((await tail({ limit: 1 })).lines.map((l) => l.seq)).toEqual([2]);
    expect((await tail({ search: "LOSS" })).lines.map((l) => l.text)).toEqual(["loss: 0.9"]);
  });

  it("ignores re-sent lines that carry their own seq, and refuses a mix", async () => {
    const lines = [
      { seq: 10, text: "replayed a" },
      { seq: 11, text: "replayed b" },
    ];
    const first = await call("logs.append", { runId, lines });
    expect(first.body.result?.data).toEqual({ appended: 2, lastSeq: 11, runStatus: "running" });
    const again = await call("logs.append", { runId, lines });
    expect(again.body.result?.data).toEqual({ appended: 0, lastSeq: 11, runStatus: "running" });
    const next = await call("logs.append", { runId, lines: [{ text: "after" }] });
    expect(next.body.result?.data).toEqual({ appended: 1, lastSeq: 12, runStatus: "running" });
    const mixed = await call("logs.append", { runId, lines: [{ seq: 20, text: "a" }, { text: "b" }] });
    expect(mixed.status).toBe(400);
    expect(mixed.body.error?.message).toMatch(/^lines: /);
  });
});
