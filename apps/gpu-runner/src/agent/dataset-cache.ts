import type { Dataset, DatasetRef } from "@labtrack/schemas";
import { downloadDatasetTo } from "@labtrack/sdk";
import { createContentCache } from "./content-cache.ts";

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

/**
 * Turns `dataset:<name>[@version]` into a local folder, downloading and extracting each content
 * hash once (see createContentCache for how concurrent runs share it).
 */
export function createDatasetCache(opts: DatasetCacheOptions) {
  const cache = createContentCache(opts.cacheDir);

  async function resolve(ref: DatasetRef): Promise<ResolvedDataset> {
    const dataset = await opts.lookup(ref.name, ref.version);
    const { dir, filled } = await cache.ensure(dataset.sha256, async (staging) => {
      await downloadDatasetTo({
        url: opts.url,
        token: opts.token,
        name: dataset.name,
        version: dataset.version,
        dir: staging,
        expectedSha256: dataset.sha256,
      });
    });
    return { dir, dataset, downloaded: filled };
  }

  return { resolve };
}
export type DatasetCache = ReturnType<typeof createDatasetCache>;
