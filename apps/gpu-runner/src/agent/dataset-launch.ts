import path from "node:path";
import { parseDatasetRef } from "@labtrack/schemas";
import type { LabtrackTRPCClient } from "@labtrack/sdk";
import { createDatasetCache, type DatasetCache } from "./dataset-cache.ts";

/** One cache per runner work folder, so concurrent runs of this agent share its downloads. */
const caches = new Map<string, DatasetCache>();

export interface DatasetLaunchContext {
  workRoot: string;
  url: string;
  token: string;
  trpc: LabtrackTRPCClient;
}

/**
 * The local folder a spec's `data.path` names: the path itself, or for `dataset:<name>[@version]`
 * the server's dataset, downloaded once into `<workRoot>/datasets/<sha256>`. Throws with a message
 * naming `spec.data.path` when the reference is malformed or the server lacks the dataset.
 */
export async function resolveDataPath(
  ctx: DatasetLaunchContext,
  dataPath: string,
): Promise<{ dir: string; note: string | null }> {
  const ref = parseDatasetRef(dataPath);
  if (!ref) return { dir: dataPath, note: null };
  const cacheDir = path.join(ctx.workRoot, "datasets");
  let cache = caches.get(cacheDir);
  if (!cache) {
    cache = createDatasetCache({
      cacheDir,
      url: ctx.url,
      token: ctx.token,
      lookup: (name, version) => ctx.trpc.datasets.get.query({ name, version }),
    });
    caches.set(cacheDir, cache);
  }
  try {
    const { dir, dataset, downloaded } = await cache.resolve(ref);
    const how = downloaded ? "downloaded" : "from the runner's cache";
    return {
      dir,
      note: `dataset ${dataset.name}@${dataset.version} (sha256 ${dataset.sha256.slice(0, 12)}, ${dataset.fileCount} files) ${how}`,
    };
  } catch (error) {
    throw new Error(`spec.data.path: ${dataPath}: ${(error as Error).message}`);
  }
}
