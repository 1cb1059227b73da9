import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseReportLine } from "@labtrack/core";
import { DB_KINDS, startTestServer, type TestServer } from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const pythonDir = path.dirname(fileURLToPath(import.meta.url));

/** Runs python3 in examples/python and collects its exit code and interleaved output. */
function runPython(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", args, {
      cwd: pythonDir,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

describe.each(DB_KINDS)("Python client against tracker-api on %s", (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("passes its unittest suite", async () => {
    const { code, output } = await runPython(["-m", "unittest", "discover", "-s", ".", "-v"], {
      LABTRACK_URL: server.url,
      LABTRACK_TOKEN: server.adminToken,
    });
    expect(code, `python3 -m unittest failed:\n${output}`).toBe(0);
    expect(output).toMatch(/^OK$/m);
  });
});

describe("report_line", () => {
  it("prints lines the runner's parseReportLine reads back", async () => {
    const script = [
      "from labtrack_client import report_line",
      "print('ordinary output')",
      "report_line({'train/loss': 0.25, 'val/loss': float('nan'), 'g': float('-inf')}, step=3, epoch=1)",
      "report_line({'acc': 1e-07}, results={'cm': [[1, 2], [3, 4]]}, artifact={'path': 'm.keras', 'kind': 'model'})",
    ].join("\n");
    const { code, output } = await runPython(["-c", script]);
    expect(code, output).toBe(0);
    const lines = output.trimEnd().split("\n");
    expect(parseReportLine(lines[0] ?? "")).toBeNull();
    expect(parseReportLine(lines[1] ?? "")).toEqual({
      step: 3,
      epoch: 1,
      metrics: { "train/loss": 0.25, "val/loss": Number.NaN, g: Number.NEGATIVE_INFINITY },
    });
    expect(parseReportLine(lines[2] ?? "")).toEqual({
      metrics: { acc: 1e-7 },
      results: {
        cm: [
          [1, 2],
          [3, 4],
        ],
      },
      artifact: { path: "m.keras", kind: "model" },
    });
  });
});
