import { spawn } from "node:child_process";

const CREATE_CLUSTER = `
const [pgliteUrl, dir, startParams] = JSON.parse(process.argv[1]);
const { PGlite } = await import(pgliteUrl);
const db = new PGlite(dir, { startParams });
await db.waitReady;
await db.close();
`;

/**
 * Creates a new PGlite cluster in `dir` in a short-lived child process. initdb runs in a
 * WebAssembly instance of its own (about 450 MB) that stays reachable from the PGlite that ran it,
 * and even once closed is freed only by a garbage collection an idle server may never run (in a
 * worker thread, about 150 MB of it stayed with the process); a process gives everything back.
 */
export async function createPgliteCluster(dir: string, startParams: string[]): Promise<void> {
  const pgliteUrl = import.meta.resolve("@electric-sql/pglite");
  const child = spawn(
    process.execPath,
    ["--input-type=module", "-e", CREATE_CLUSTER, JSON.stringify([pgliteUrl, dir, startParams])],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`creating the PGlite database in ${dir} failed (exit ${code}): ${stderr}`)),
    );
  });
}
