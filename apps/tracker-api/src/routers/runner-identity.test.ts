import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";

type RunOut = { id: string; status: string; runner: string | null };

/** A runner token may act only as the runners it registered, and only on the runs they hold. */
describe.each(DB_KINDS)("runner identity on %s", (kind) => {
  let server: TestServer;
  let tokenA: string;
  let tokenB: string;
  const admin = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);
  const newRunnerToken = async (name: string) =>
    dataOf<{ token: string }>(await admin("tokens.create", { name, scope: "runner" })).token;
  const register = (token: string, name: string) =>
    callProcedure(server, token, "runners.register", {
      name,
      queues: [name],
      capabilities: { hostname: name, gpus: [], backends: ["cpu"], cpus: 1, memoryMb: 1024 },
      slots: [{ index: 0, gpuIndices: [] }],
    });
  const runOf = async (runId: string) => dataOf<RunOut>(await admin("runs.get", { runId }, "query"));

  /** Runner "gpu-a" (token A) holding a freshly queued run. */
  async function runnerAHoldingARun(name: string): Promise<{ runnerId: string; runId: string }> {
    const { runnerId } = dataOf<{ runnerId: string }>(await register(tokenA, name));
    const queued = dataOf<RunOut>(
      await admin("queue.enqueue", {
        project: "identity",
        spec: { kind: "command", command: "true" },
        queue: name,
      }),
    );
    const claimed = dataOf<RunOut>(
      await callProcedure(server, tokenA, "runners.claim", { runnerId, slot: 0, waitMs: 0 }),
    );
    expect(claimed.id).toBe(queued.id);
    return { runnerId, runId: queued.id };
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    tokenA = await newRunnerToken("runner-a");
    tokenB = await newRunnerToken("runner-b");
  });
  afterAll(() => server.close());

  it("refuses another token reporting a runner's run as failed", async () => {
    const { runnerId, runId } = await runnerAHoldingARun("gpu-a1");
    const forged = await callProcedure(server, tokenB, "runners.report", {
      runnerId,
      runId,
      outcome: "failed",
      error: "forged",
    });
    expect(forged.status).toBe(403);
    expect(forged.body.error?.message).toMatch(/^runnerId: /);
    // B's own runner cannot report it either: it does not hold it.
    const { runnerId: runnerB } = dataOf<{ runnerId: string }>(await register(tokenB, "gpu-b1"));
    const notHeld = await callProcedure(server, tokenB, "runners.report", {
      runnerId: runnerB,
      runId,
      outcome: "failed",
    });
    expect(notHeld.status).toBe(409);
    expect(await runOf(runId)).toMatchObject({ status: "running", runner: "gpu-a1" });
    const own = await callProcedure(server, tokenA, "runners.report", {
      runnerId,
      runId,
      outcome: "succeeded",
      exitCode: 0,
    });
    expect(own.status).toBe(200);
    expect((await runOf(runId)).status).toBe("succeeded");
  });

  it("refuses another token's heartbeats and claims", async () => {
    const { runnerId, runId } = await runnerAHoldingARun("gpu-a2");
    const beat = await callProcedure(server, tokenB, "runners.heartbeat", {
      runnerId,
      runIds: [runId],
      gpus: [],
    });
    expect(beat.status).toBe(403);
    const claim = await callProcedure(server, tokenB, "runners.claim", { runnerId, slot: 0, waitMs: 0 });
    expect(claim.status).toBe(403);
    const own = await callProcedure(server, tokenA, "runners.heartbeat", {
      runnerId,
      runIds: [runId],
      gpus: [],
    });
    expect(dataOf(own)).toEqual({ cancel: [], release: [] });
  });

  it("refuses registering under another token's runner name, which would requeue its runs", async () => {
    const { runId } = await runnerAHoldingARun("gpu-a3");
    const hijack = await register(tokenB, "gpu-a3");
    expect(hijack.status).toBe(403);
    expect(hijack.body.error?.message).toMatch(/^name: /);
    expect(await runOf(runId)).toMatchObject({ status: "running", runner: "gpu-a3" });
    // The token that registered it may restart it (its old session's runs are recovered).
    expect((await register(tokenA, "gpu-a3")).status).toBe(200);
    expect((await runOf(runId)).status).toBe("queued");
  });

  it("refuses another token stopping a runner", async () => {
    const { runnerId } = dataOf<{ runnerId: string }>(await register(tokenA, "gpu-a4"));
    const stop = await callProcedure(server, tokenB, "runners.stop", { runnerId });
    expect(stop.status).toBe(403);
    const listed = dataOf<{ name: string; online: boolean }[]>(
      await admin("runners.list", { includeOffline: true }, "query"),
    );
    expect(listed.find((r) => r.name === "gpu-a4")?.online).toBe(true);
    expect((await callProcedure(server, tokenA, "runners.stop", { runnerId })).status).toBe(200);
  });

  it("frees a runner name once the token that registered it is revoked; admins act as any runner", async () => {
    const old = await newRunnerToken("runner-old");
    const { runnerId } = dataOf<{ runnerId: string }>(await register(old, "gpu-c"));
    expect((await admin("runners.heartbeat", { runnerId, runIds: [], gpus: [] })).status).toBe(200);
    expect((await register(tokenB, "gpu-c")).status).toBe(403);
    const tokens = dataOf<{ id: number; name: string }[]>(await admin("tokens.list", undefined, "query"));
    await admin("tokens.revoke", { id: tokens.find((t) => t.name === "runner-old")!.id });
    expect((await register(tokenB, "gpu-c")).status).toBe(200);
  });
  it("refuses another runner token writing to a run a runner holds, through any procedure", async () => {
    const { runnerId, runId } = await runnerAHoldingARun("gpu-a5");
    const attempts = [
      callProcedure(server, tokenB, "runs.finish", { runId, status: "failed", error: "forged" }),
      callProcedure(server, tokenB, "runs.update", { runId, name: "forged" }),
      callProcedure(server, tokenB, "runs.setResults", { runId, results: { forged: true } }),
      callProcedure(server, tokenB, "metrics.log", { runId, points: [{ key: "loss", step: 0, value: 9 }] }),
      callProcedure(server, tokenB, "logs.append", { runId, lines: [{ text: "forged" }] }),
    ];
    for (const answer of await Promise.all(attempts)) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(403);
      expect(answer.body.error?.message).toMatch(
        /^runId: run .* is held by runner gpu-a5, registered with another token/,
      );
    }
    const put = await fetch(`${server.url}/api/artifacts/${runId}/model/model.json`, {
      method: "PUT",
      headers: { authorization: `Bearer ${tokenB}` },
      body: "{}",
    });
    expect(put.status).toBe(403);
    expect(await runOf(runId)).toMatchObject({ status: "running", runner: "gpu-a5" });
    const own = await callProcedure(server, tokenA, "metrics.log", {
      runId,
      points: [{ key: "loss", step: 0, value: 1 }],
    });
    expect(own.status).toBe(200);
    await callProcedure(server, tokenA, "runners.report", {
      runnerId,
      runId,
      outcome: "succeeded",
      exitCode: 0,
    });
  });
});
