import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "./cli-context.ts";
import { runLabtrackCli } from "./labtrack-cli.ts";

const SWEEP_YAML = `
name: lr-grid
method: grid
metric:
  name: val/loss
  goal: minimize
parameters:
  lr:
    values: [0.1, 0.01]
  batch_size:
    values: [16, 32, 64]
concurrency: 2
spec:
  kind: command
  command: ["python3", "train.py", "--lr", "\${lr}", "--batch-size", "\${batch_size}"]
`;

describe.each(DB_KINDS)("labtrack sweep against a real server on %s", (kind) => {
  let server: TestServer;
  let work: string;
  const cli = async (...argv: string[]) => {
    let out = "";
    let err = "";
    const io: CliIo = {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      env: { LABTRACK_URL: server.url, LABTRACK_TOKEN: server.adminToken },
      cwd: work,
    };
    return { code: await runLabtrackCli(argv, io), out, err };
  };

  beforeAll(async () => {
    server = await startTestServer(kind, { sweepIntervalMs: 3_600_000 });
    work = await mkdtemp(path.join(os.tmpdir(), "labtrack-sweep-cli-"));
  });
  afterAll(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  it("creates the sweep from sweep.yaml, prints its id, and its first runs are queued", async () => {
    await writeFile(path.join(work, "sweep.yaml"), SWEEP_YAML);
    const created = await cli("sweep", "sweep.yaml", "--project", "cli-sweeps");
    expect(created).toMatchObject({ code: 0, err: "" });
    const id = created.out.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const sweep = dataOf<{ name: string; progress: { queued: number; budget: number } }>(
      await callProcedure(server, server.adminToken, "sweeps.get", { sweepId: id }, "query"),
    );
    expect(sweep).toMatchObject({ name: "lr-grid", progress: { queued: 2, budget: 6 } });
  });

  it("refuses a bad space naming the field, with exit code 2", async () => {
    await writeFile(path.join(work, "bad.yaml"), SWEEP_YAML.replace("values: [0.1, 0.01]", "values: []"));
    const bad = await cli("sweep", "bad.yaml", "--project", "cli-sweeps");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/parameters\.lr\.values: must not be empty/);
    expect((await cli("sweep", "sweep.yaml")).err).toMatch(/--project/);
  });
});
