import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleApi } from "../build/bundle.ts";

const API_DIR = fileURLToPath(new URL("..", import.meta.url));
/** The node flags of `pnpm start` (package.json), so the figures are those users get. */
const START_FLAGS = ["--max-semi-space-size=4"];

let built: Promise<void> | null = null;
/** The bundle `pnpm start` runs (dist/main.js), built once per bench process from the current source. */
function buildOnce(): Promise<void> {
  built ??= bundleApi();
  return built;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface ApiProcess {
  url: string;
  adminToken: string;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * tracker-api as users run it (`pnpm start`: node on the bundle, dist/main.js), in its own
 * process, so the load generator does not share its event loop.
 */
export async function startApiProcess(
  databaseUrl: string | null,
  extraEnv: Record<string, string> = {},
): Promise<ApiProcess> {
  const port = await freePort();
  const adminToken = `bench-admin-${randomBytes(12).toString("hex")}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-bench-"));
  await buildOnce();
  const child: ChildProcess = spawn(process.execPath, [...START_FLAGS, "dist/main.js"], {
    cwd: API_DIR,
    env: {
      ...process.env,
      ...(databaseUrl && { DATABASE_URL: databaseUrl }),
      LABTRACK_PORT: String(port),
      LABTRACK_ADMIN_TOKEN: adminToken,
      LABTRACK_DATA_DIR: dataDir,
      LABTRACK_LOG_LEVEL: "warn",
      INIT_CWD: dataDir,
      ...extraEnv,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`tracker-api exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      // Not left behind: it would hold the port and the data dir after the bench gave up.
      child.kill("SIGKILL");
      throw new Error("tracker-api did not start within 120 s");
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    adminToken,
    dataDir,
    pid: child.pid ?? 0,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
