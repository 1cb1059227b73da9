// biome-ignore-all lint/suspicious/noTemplateCurlyInString: sweep placeholders are literal ${name} strings
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";

type RunOut = { id: string; sweep: { id: string; name: string } | null };

describe.each(DB_KINDS)("runs.get and runs.list name the run's sweep on %s", (kind) => {
  let server: TestServer;
  const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);

  beforeAll(async () => {
    server = await startTestServer(kind, { sweepIntervalMs: 3_600_000 });
  });
  afterAll(() => server.close());

  it("gives a sweep's run its sweep id and name, and a run of no sweep null", async () => {
    const sweep = dataOf<{ id: string; runs: { runId: string }[] }>(
      await call("sweeps.create", {
        project: "sweep-field",
        config: {
          name: "lr-search",
          method: "grid",
          metric: { name: "loss", goal: "minimize" },
          parameters: { lr: { values: [0.1, 0.01] } },
          concurrency: 2,
          spec: { kind: "command", command: ["python3", "train.py", "${lr}"] },
        },
      }),
    );
    const plain = dataOf<RunOut>(await call("runs.create", { project: "sweep-field", name: "by-hand" }));
    expect(plain.sweep).toBeNull();

    const first = sweep.runs[0]?.runId;
    const got = dataOf<RunOut>(await call("runs.get", { runId: first }, "query"));
    expect(got.sweep).toEqual({ id: sweep.id, name: "lr-search" });

    const listed = dataOf<{ runs: RunOut[] }>(await call("runs.list", { project: "sweep-field" }, "query"));
    const byId = new Map(listed.runs.map((r) => [r.id, r.sweep]));
    expect(listed.runs).toHaveLength(3);
    for (const r of sweep.runs) expect(byId.get(r.runId)).toEqual({ id: sweep.id, name: "lr-search" });
    expect(byId.get(plain.id)).toBeNull();
  });
});
