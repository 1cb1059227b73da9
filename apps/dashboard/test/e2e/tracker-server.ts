import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const dashboardDir = path.resolve(here, "../..");
export const distDir = path.join(dashboardDir, "dist");
/** The API is started the way `pnpm start` does, from its own folder: apps never import each other. */
const trackerApiDir = path.resolve(dashboardDir, "../tracker-api");

export interface TrackerServer {
  url: string;
  /** The sign-in link exactly as the server printed it. */
  loginLink: string;
  token: string;
  output: () => string;
  close(): Promise<void>;
}

/** A real tracker-api (`src/main.ts`) on a free port over a fresh PGlite, serving the built dashboard. */
export async function startTrackerServer(env: Record<string, string> = {}): Promise<TrackerServer> {
  if (!existsSync(path.join(distDir, "index.html"))) {
    throw new Error(
      `the dashboard is not built (${distDir}/index.html missing): run \`pnpm --filter @labtrack/dashboard build\``,
    );
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-e2e-"));
  const token = `e2e-admin-${randomBytes(12).toString("hex")}`;
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: trackerApiDir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? dataDir,
      LABTRACK_PORT: "0",
      LABTRACK_HOST: "127.0.0.1",
      LABTRACK_DATA_DIR: dataDir,
      LABTRACK_ADMIN_TOKEN: token,
      LABTRACK_DASHBOARD_DIR: distDir,
      LABTRACK_LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const loginLink = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tracker-api did not print a sign-in link:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Sign in: (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tracker-api exited with ${code}:\n${output}`));
    });
  });
  return {
    url: new URL(loginLink).origin,
    loginLink,
    token,
    output: () => output,
    async close() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A procedure call as curl would make it. */
export async function callApi<T>(
  server: { url: string; token: string },
  procedure: string,
  input: unknown,
  method: "query" | "mutation" = "mutation",
): Promise<T> {
  const headers = { "content-type": "application/json", authorization: `Bearer ${server.token}` };
  const response =
    method === "query"
      ? await fetch(`${server.url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers,
        })
      : await fetch(`${server.url}/trpc/${procedure}`, {
          method: "POST",
          headers,
          body: JSON.stringify(input),
        });
  const body = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  if (!response.ok || !body.result)
    throw new Error(`${procedure}: ${body.error?.message ?? response.status}`);
  return body.result.data;
}
