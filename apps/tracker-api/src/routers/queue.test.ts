import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";

type RunOut = { id: string; name: string; status: string; spec: unknown; parentRunId: string | null };

describe.each(DB_KINDS)("queue procedures on %s", (kind) => {
  let server: TestServer;
  const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);
  const enqueue = async (input: Record<string, unknown>) => {
    const res = await call("queue.enqueue", { project: "q", ...input });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.result?.data as RunOut;
  };
  const command = (cmd: string) => ({ kind: "command", command: cmd });

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it("queues a validated spec and lists queued runs by priority, then first come first served", async () => {
    const a = await enqueue({ name: "a", spec: command("echo a"), queue: "order" });
    const b = await enqueue({ name: "b", spec: command("echo b"), queue: "order", priority: 5 });
    const c = await enqueue({ name: "c", spec: command("echo c"), queue: "order" });
    expect(a.status).toBe("queued");
    expect(a.spec).toEqual({ kind: "command", command: "echo a", env: {} });
    const listed = await call("queue.list", { queue: "order" }, "query");
    const entries = listed.body.result?.data as { name: string; position: number }[];
    expect(entries.map((e) => [e.name, e.position])).toEqual([
      ["b", 1],
      ["a", 2],
      ["c", 3],
    ]);
    expect([b.id, c.id]).toHaveLength(2);
  });

  it("refuses a bad spec with an error naming the field", async () => {
    const empty = await call("queue.enqueue", { project: "q", spec: { kind: "command", command: "" } });
    expect(empty.status).toBe(400);
    expect(empty.body.error?.message).toMatch(/spec\.command/);
    const unknownKind = await call("queue.enqueue", { project: "q", spec: { kind: "bash", command: "x" } });
    expect(unknownKind.body.error?.message).toMatch(/spec\.kind/);
    const badImage = await call("queue.enqueue", {
      project: "q",
      spec: { kind: "image-classifier", data: { path: "/d" }, model: { backbone: "vgg" } },
    });
    expect(badImage.body.error?.message).toMatch(/spec\.model\.backbone/);
    const badGpus = await call("queue.enqueue", {
      project: "q",
      spec: command("x"),
      requirements: { gpus: 1.5 },
    });
    expect(badGpus.body.error?.data.fields?.map((f) => f.path.join("."))).toEqual(["requirements.gpus"]);
  });

  it("cancels a queued run at once and refuses to cancel a finished one", async () => {
    const run = await enqueue({ spec: command("sleep 100"), queue: "cancel" });
    const canceled = await call("runs.cancel", { runId: run.id });
    expect(canceled.body.result?.data).toMatchObject({ status: "canceled" });
    const again = await call("runs.cancel", { runId: run.id });
    expect(again.body.result?.data).toMatchObject({ status: "canceled" });
    const listed = await call("queue.list", { queue: "cancel" }, "query");
    expect(listed.body.result?.data).toEqual([]);
    const external = await call("runs.create", { project: "q" });
    const externalId = dataOf<RunOut>(external).id;
    await call("runs.finish", { runId: externalId, status: "succeeded" });
    const refused = await call("runs.cancel", { runId: externalId });
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toMatch(/succeeded; only queued or running/);
  });

  it("clones a run's spec with changes and remembers where it came from", async () => {
    const source = await enqueue({
      name: "src",
      spec: { kind: "command", command: "train", env: { LR: "0.1" } },
      priority: 3,
    });
    const res = await call("runs.clone", { runId: source.id, specChanges: { env: { BATCH: "8" } } });
    const clone = res.body.result?.data as RunOut & { priority: number; status: string };
    expect(clone).toMatchObject({ name: "src-clone", status: "queued", priority: 3, parentRunId: source.id });
    expect(clone.spec).toEqual({ kind: "command", command: "train", env: { LR: "0.1", BATCH: "8" } });
    const bad = await call("runs.clone", { runId: source.id, specChanges: { command: 42 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/specChanges: .*command/);
    const external = await call("runs.create", { project: "q" });
    const noSpec = await call("runs.clone", { runId: dataOf<RunOut>(external).id });
    expect(noSpec.body.error?.message).toMatch(/runId: .* has no spec/);
  });

  it("lets only people queue work: a runner token is refused", async () => {
    const token = await call("tokens.create", { name: "r1", scope: "runner" });
    const secret = dataOf<{ token: string }>(token).token;
    const res = await callProcedure(server, secret, "queue.enqueue", { project: "q", spec: command("x") });
    expect(res.status).toBe(403);
  });
});
