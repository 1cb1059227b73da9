import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
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

const BIN = fileURLToPath(new URL("../../bin/labtrack.mjs", import.meta.url));

describe.each(DB_KINDS)("labtrack CLI against a real server on %s", (kind) => {
  let server: TestServer;
  let work: string;
  let userToken: string;

  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const io: CliIo = {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
      env: { LABTRACK_URL: server.url, LABTRACK_TOKEN: userToken },
      cwd: work,
    };
    const code = await runLabtrackCli(argv, io);
    return { code, out, err };
  }

  beforeAll(async () => {
    server = await startTestServer(kind);
    userToken = dataOf<{ token: string }>(
      await callProcedure(server, server.adminToken, "tokens.create", { name: "cli-user", scope: "user" }),
    ).token;
    work = await mkdtemp(path.join(os.tmpdir(), "labtrack-cli-"));
    const files: [string, string][] = [
      ["shapes/circle/1.png", "c1"],
      ["shapes/circle/2.png", "c2"],
      ["shapes/square/1.png", "s1"],
      ["shapes/.DS_Store", "ignored"],
    ];
    for (const [file, text] of files) {
      await mkdir(path.dirname(path.join(work, file)), { recursive: true });
      await writeFile(path.join(work, file), text);
    }
  });
  afterAll(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  it("dataset push uploads a folder once per content: unchanged folders keep their version", async () => {
    const first = await cli("dataset", "push", "shapes", "--name", "shapes");
    expect(first).toMatchObject({ code: 0, err: "" });
    expect(first.out).toMatch(/^pushed dataset:shapes@1 \(3 files/);
    const again = await cli("dataset", "push", "shapes", "--name", "shapes", "--json");
    expect(JSON.parse(again.out)).toMatchObject({ version: 1, created: false, fileCount: 3 });
    await writeFile(path.join(work, "shapes/square/2.png"), "s2");
    const changed = await cli("dataset", "push", "shapes", "--json");
    expect(JSON.parse(changed.out)).toMatchObject({
      name: "shapes",
      version: 2,
      created: true,
      fileCount: 4,
    });
    const listed = await cli("dataset", "list", "--json");
    expect((JSON.parse(listed.out) as { version: number }[]).map((d) => d.version)).toEqual([2, 1]);
    expect((await cli("dataset", "list")).out).toMatch(/DATASET\s+FILES[\s\S]*shapes@2\s+4/);
  });

  it("queue enqueues a bare YAML spec into --project, and runs list shows it queued", async () => {
    await writeFile(
      path.join(work, "spec.yaml"),
      "kind: image-classifier\ndata:\n  path: dataset:shapes@2\nmodel:\n  backbone: scratch_cnn\n  input_size: 32\n",
    );
    const queued = await cli("queue", "spec.yaml", "--project", "cli-demo", "--name", "from-yaml", "--json");
    expect(queued.code).toBe(0);
    const run = JSON.parse(queued.out) as { id: string; status: string; spec: { data: { path: string } } };
    expect(run).toMatchObject({ status: "queued", spec: { data: { path: "dataset:shapes@2" } } });
    const listed = await cli("runs", "list", "--project", "cli-demo", "--json");
    expect(JSON.parse(listed.out)).toEqual([
      expect.objectContaining({ id: run.id, name: "from-yaml", status: "queued" }),
    ]);
    expect((await cli("runs", "list", "--project", "cli-demo")).out).toContain(
      `${run.id}  from-yaml  queued`,
    );
  });

  it("queue accepts a whole JSON request with project and spec", async () => {
    const request = {
      project: "cli-json",
      tags: ["cli"],
      spec: { kind: "command", command: ["echo", "hi"] },
    };
    await writeFile(path.join(work, "request.json"), JSON.stringify(request));
    const queued = await cli("queue", "request.json");
    expect(queued.code).toBe(0);
    expect(queued.out).toMatch(/^queued run [0-9a-f-]{36} \(.+\) in project cli-json/);
  });

  it("explains usage mistakes with exit code 2, naming the field", async () => {
    await writeFile(
      path.join(work, "bad.yaml"),
      "kind: image-classifier\ndata:\n  path: x\nmodel:\n  backbone: resnet9000\n",
    );
    const bad = await cli("queue", "bad.yaml", "--project", "p");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("spec.model.backbone");
    expect((await cli("queue", "spec.yaml")).err).toContain("project: pass --project");
    expect((await cli("runs", "list")).err).toContain("--project");
    expect((await cli("dataset", "push", "nope")).err).toContain("is not a folder");
    expect((await cli("dataset", "list", "--bogus")).code).toBe(2);
    expect((await cli("fly", "away")).err).toContain("unknown command 'fly away'");
  });

  it("the installed bin runs the same CLI, and an invalid token fails with exit code 1", async () => {
    const run = promisify(execFile);
    const env = { ...process.env, LABTRACK_URL: server.url, LABTRACK_TOKEN: userToken };
    const ok = await run(process.execPath, [BIN, "dataset", "list", "--name", "shapes", "--json"], {
      env,
      cwd: work,
    });
    expect(JSON.parse(ok.stdout)).toHaveLength(2);
    const denied = await run(process.execPath, [BIN, "dataset", "list"], {
      env: { ...env, LABTRACK_TOKEN: "lt_user_wrong" },
      cwd: work,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(denied).toMatchObject({ code: 1 });
    expect((denied as { stderr: string }).stderr).toContain("LABTRACK_TOKEN");
  });
});
