import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Dataset, DatasetRef } from "@labtrack/schemas";
import { downloadDatasetTo } from "@labtrack/sdk";

export interface DatasetCacheOptions {
  /** Extracted datasets live in `<cacheDir>/<sha256>/`. */
  cacheDir: string;
  url: string;
  token: string;
  /** Which version `name[@version]` is and its sha256 (the server's `datasets.get`). */
  lookup: (name: string, version: number | undefined) => Promise<Dataset>;
}

export interface ResolvedDataset {
  dir: string;
  dataset: Dataset;
  /** False when an earlier run (or a concurrent one) had already fetched these bytes. */
  downloaded: boolean;
}

const isDir = (dir: string) =>
  stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );

/**
 * Turns `dataset:<name>[@version]` into a local folder, downloading and extracting each content
 * hash once. Concurrent runs asking for the same bytes share one download (in this process) or
 * one completed folder (across processes: each extracts into a staging folder and the first
 * rename wins), so no run ever reads a half-extracted dataset.
 */
export function createDatasetCache(opts: DatasetCacheOptions) {
  const inFlight = new Map<string, Promise<boolean>>();

  async function fetchOnce(dataset: Dataset, target: string): Promise<boolean> {
    if (await isDir(target)) return false;
    await mkdir(opts.cacheDir, { recursive: true });
    const staging = path.join(opts.cacheDir, `.staging-${randomUUID()}`);
    try {
      await mkdir(staging);
      await downloadDatasetTo({
        url: opts.url,
        token: opts.token,
        name: dataset.name,
        version: dataset.version,
        dir: staging,
        expectedSha256: dataset.sha256,
      });
      try {
        await rename(staging, target);
        return true;
      } catch (error) {
        if (await isDir(target)) return false; // another process finished the same bytes first
        throw error;
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async function resolve(ref: DatasetRef): Promise<ResolvedDataset> {
    const dataset = await opts.lookup(ref.name, ref.version);
    const dir = path.join(opts.cacheDir, dataset.sha256);
    let pending = inFlight.get(dataset.sha256);
    const first = !pending;
    if (!pending) {
      pending = fetchOnce(dataset, dir).finally(() => inFlight.delete(dataset.sha256));
      inFlight.set(dataset.sha256, pending);
    }
    const downloaded = await pending;
    return { dir, dataset, downloaded: first && downloaded };
  }

  return { resolve };
}
export type DatasetCache = ReturnType<typeof createDatasetCache>;
