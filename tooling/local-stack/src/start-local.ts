/**
 * `pnpm start`: Labtrack on one machine — tracker-api on the embedded database (serving the built
 * dashboard) plus one local gpu-runner. Ctrl-C stops both.
 *
 * Environment: LABTRACK_PORT (8420), LABTRACK_HOST (127.0.0.1), LABTRACK_DATA_DIR (.labtrack), LABTRACK_ADMIN_TOKEN,
 * DATABASE_URL (use a Postgres server instead of PGlite), LABTRACK_NO_RUNNER=1 (API only).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { portInUse } from "./port-in-use.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const port = process.env.LABTRACK_PORT ?? "8420";
const host = process.env.LABTRACK_HOST ?? "127.0.0.1";
const dataDir = path.resolve(root, process.env.LABTRACK_DATA_DIR ?? ".labtrack");
const url = `http://127.0.0.1:${port}`;
const children: ChildProcess[] = [];

/** A small young generation: an idle API keeps about 50 MB less (README "Memory"). */
const API_NODE_FLAGS = "--max-semi-space-size=4";

/** The API runs on node from its bundle (`pnpm build` made it); the runner through tsx. */
function start(name: string, cwd: string, env: NodeJS.ProcessEnv, args: string[]): ChildProcess {
  const [command, ...rest] = args;
  const child = spawn(command ?? process.execPath, rest, {
    cwd: path.join(root, cwd),
    env: { ...process.env, ...env },
    stdio: "inherit",
  });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${name} stopped (${signal ?? `exit ${code}`}); stopping Labtrack\n`);
      void stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
async function stop(code: number): Promise<never> {
  stopping = true;
  // The runner first, so it can hand unfinished runs back to the API before the API goes.
  for (const child of [...children].reverse()) {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

async function waitForHealth(): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`tracker-api did not answer on ${url} within 2 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A runner-scoped token for the local runner, made once with the admin token and kept in the data dir. */
async function runnerToken(): Promise<string> {
  const file = path.join(dataDir, "runner.token");
  const saved = await readFile(file, "utf8").catch(() => "");
  const check = saved.trim()
    ? await fetch(`${url}/trpc/tokens.whoami`, { headers: { authorization: `Bearer ${saved.trim()}` } })
    : null;
  if (check?.ok) return saved.trim();
  const admin =
    process.env.LABTRACK_ADMIN_TOKEN ?? (await readFile(path.join(dataDir, "admin.token"), "utf8")).trim();
  const response = await fetch(`${url}/trpc/tokens.create`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "local runner", scope: "runner" }),
  });
  if (!response.ok) throw new Error(`could not make a runner token: ${await response.text()}`);
  const { result } = (await response.json()) as { result: { data: { token: string } } };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${result.data.token}\n`, { mode: 0o600 });
  return result.data.token;
}

try {
  if (await portInUse(host, Number(port))) {
    throw new Error(
      `port ${port} on ${host} is in use (another Labtrack, or another program): stop it, or set LABTRACK_PORT to a free port (LABTRACK_PORT=8421 npx --yes pnpm@10.34.8 start)`,
    );
  }
  start("tracker-api", "apps/tracker-api", { LABTRACK_PORT: port, LABTRACK_DATA_DIR: dataDir }, [
    process.execPath,
    API_NODE_FLAGS,
    "dist/main.js",
  ]);
  await waitForHealth();
  if (process.env.LABTRACK_NO_RUNNER !== "1") {
    start(
      "gpu-runner",
      "apps/gpu-runner",
      {
        LABTRACK_URL: url,
        LABTRACK_TOKEN: await runnerToken(),
        LABTRACK_RUNNER_NAME: process.env.LABTRACK_RUNNER_NAME ?? "local",
        LABTRACK_RUNNER_WORK_DIR: path.join(dataDir, "runner"),
      },
      [path.join(root, "node_modules/.bin/tsx"), "src/main.ts"],
    );
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
}
