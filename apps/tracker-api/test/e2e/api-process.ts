import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export { freePort } from "../../src/test-support/free-port.ts";

const apiDir = fileURLToPath(new URL("../..", import.meta.url));

/** Starts `tsx src/main.ts` as `pnpm start` does and resolves once it printed its sign-in link. */
export function startApi(
  env: Record<string, string>,
  opts: { direct?: boolean } = {},
): Promise<{ child: ChildProcess; output: () => string }> {
  // `direct`: node itself runs the server (tsx as a loader), so `child` is the server's process and
  // a SIGKILL kills it, not only the tsx wrapper that would leave it running.
  const [command, args] = opts.direct
    ? [process.execPath, ["--import", "tsx", "src/main.ts"]]
    : [path.join(apiDir, "node_modules/.bin/tsx"), ["src/main.ts"]];
  const child = spawn(command, args, {
    cwd: apiDir,
    env: { ...process.env, LABTRACK_LOG_LEVEL: "warn", ...env },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no sign-in line within 120 s:\n${output}`)), 120_000);
    const check = setInterval(() => {
      if (/Sign in: |Admin token: see/.test(output)) {
        clearTimeout(timer);
        clearInterval(check);
        resolve({ child, output: () => output });
      }
    }, 50);
    child.once("exit", (code) => {
      clearTimeout(timer);
      clearInterval(check);
      reject(new Error(`tracker-api exited with ${code}:\n${output}`));
    });
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}
