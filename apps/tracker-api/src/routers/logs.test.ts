import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAnswerDroppingProxy } from "../test-support/answer-dropping-proxy.ts";
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

  it("stores a batch once when its answer was lost and the client sends it again under its batchId", async () => {
    const lost = dataOf<{ id: string }>(await call("runs.create", { project: "logs" })).id;
    const proxy = await startAnswerDroppingProxy({
      target: server.url,
      matches: (req) => req.url?.startsWith("/trpc/logs.append") === true,
      times: 1,
    });
    try {
      const body = JSON.stringify({
        runId: lost,
        batchId: "5d1f7a0e-2b9c-4f6a-8e3d-1c0b9a8f7e6d",
        lines: [{ text: "Epoch 1/3" }, { text: "loss: 0.5" }],
      });
      const send = () =>
        fetch(`${proxy.url}/trpc/logs.append`, {
          method: "POST",
          headers: { authorization: `Bearer ${server.adminToken}`, "content-type": "application/json" },
          body,
        });
      await expect(send()).rejects.toThrow();
      expect(proxy.dropped).toBe(1);
      const again = await send();
      expect(((await again.json()) as { result: { data: unknown } }).result.data).toEqual({
        appended: 0,
        lastSeq: 1,
        runStatus: "running",
      });
      const stored = dataOf<Tail>(await call("logs.tail", { runId: lost }, "query"));
      expect(stored.lines.map((l) => [l.seq, l.text])).toEqual([
        [0, "Epoch 1/3"],
        [1, "loss: 0.5"],
      ]);
      // Another batch (another key) is new lines, even with the same text.
      await call("logs.append", { runId: lost, batchId: "second", lines: [{ text: "loss: 0.5" }] });
      expect(dataOf<Tail>(await call("logs.tail", { runId: lost }, "query")).lines).toHaveLength(3);
    } finally {
      await proxy.close();
    }
  });

  it("keeps a numbered line whose seq a line without one already took, once through a resend", async () => {
    const mixed = dataOf<{ id: string }>(await call("runs.create", { project: "logs" })).id;
    await call("logs.append", { runId: mixed, lines: [{ seq: 0, text: "runner 0", time: 1 }] });
    await call("logs.append", { runId: mixed, lines: [{ stream: "system", text: "set aside", time: 2 }] });
    const batch = {
      runId: mixed,
      lines: [
        { seq: 1, text: "runner 1", time: 3 },
        { seq: 2, text: "runner 2", time: 4 },
      ],
    };
    expect((await call("logs.append", batch)).body.result?.data).toMatchObject({ appended: 2 });
    expect((await call("logs.append", batch)).body.result?.data).toMatchObject({ appended: 0 });
    const stored = dataOf<Tail>(await call("logs.tail", { runId: mixed }, "query"));
    expect(stored.lines.map((l) => [l.seq, l.text])).toEqual([
      [0, "runner 0"],
      [1, "set aside"],
      [2, "runner 2"],
      [3, "runner 1"],
    ]);
  });

  it("refuses a batchId that is not a short key, naming the field", async () => {
    const bad = await call("logs.append", { runId, batchId: "a b\u0000", lines: [{ text: "x" }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/batchId/);
  });
});
