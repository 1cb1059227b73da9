import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export { freePort } from "../../src/test-support/free-port.ts";

const apiDir = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Starts the server as `node --import tsx src/main.ts` and resolves once it printed its sign-in link.
 * Node itself runs it (tsx only as a loader), so `child` is the server's process: a SIGKILL kills it,
 * and a SIGTERM reaches its own handler. (tsx's CLI wrapper relays a signal, and when the child does
 * not confirm it within 30 ms, as on a loaded machine, SIGKILLs it and exits with 143.)
 */
export function startApi(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
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
