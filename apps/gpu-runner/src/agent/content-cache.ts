import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";

const isDir = (dir: string) =>
  stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );

/**
 * Folders `<cacheDir>/<key>/` filled once per content key. Concurrent callers of one key share one
 * fill (in this process) or one completed folder (across processes: each fills a staging folder
 * and the first rename wins), so nobody ever reads a half-written folder.
 */
export function createContentCache(cacheDir: string) {
  const inFlight = new Map<string, Promise<boolean>>();

  async function fillOnce(target: string, fill: (staging: string) => Promise<void>): Promise<boolean> {
    if (await isDir(target)) return false;
    await mkdir(cacheDir, { recursive: true });
    const staging = path.join(cacheDir, `.staging-${randomUUID()}`);
    try {
      await mkdir(staging);
      await fill(staging);
      try {
        await rename(staging, target);
        return true;
      } catch (error) {
        if (await isDir(target)) return false; // another process finished the same content first
        throw error;
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** The folder for `key`; `filled` is true only for the one caller whose fill made it. */
  async function ensure(
    key: string,
    fill: (staging: string) => Promise<void>,
  ): Promise<{ dir: string; filled: boolean }> {
    const dir = path.join(cacheDir, key);
    let pending = inFlight.get(key);
    const first = !pending;
    if (!pending) {
      pending = fillOnce(dir, fill).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const filled = await pending;
    return { dir, filled: first && filled };
  }

  return { ensure };
}
export type ContentCache = ReturnType<typeof createContentCache>;
