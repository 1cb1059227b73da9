import path from "node:path";
import { createS3Client, parseS3Url, S3_URL_PREFIX, type S3Settings } from "@labtrack/s3";
import { parseDatasetRef } from "@labtrack/schemas";
import type { LabtrackTRPCClient } from "@labtrack/sdk";
import { createDatasetCache, type DatasetCache } from "./dataset-cache.ts";
import { createS3DatasetCache, type S3DatasetCache } from "./s3-dataset-cache.ts";

/** One cache per runner work folder, so concurrent runs of this agent share its downloads. */
const caches = new Map<string, DatasetCache>();
const s3Caches = new Map<string, S3DatasetCache>();

export interface DatasetLaunchContext {
  workRoot: string;
  url: string;
  token: string;
  trpc: LabtrackTRPCClient;
  /** Credentials and endpoint for `s3://` paths (the runner's AWS_* and LABTRACK_S3_ENDPOINT). */
  s3: S3Settings;
}

async function resolveS3Path(ctx: DatasetLaunchContext, cacheDir: string, dataPath: string, field: string) {
  const location = parseS3Url(dataPath, field);
  let cache = s3Caches.get(cacheDir);
  if (!cache) {
    cache = createS3DatasetCache({ cacheDir, client: createS3Client(ctx.s3) });
    s3Caches.set(cacheDir, cache);
  }
  try {
    const found = await cache.resolve(location);
    const how = found.downloaded ? "downloaded" : "from the runner's cache";
    return {
      dir: found.dir,
      note: `dataset ${dataPath} (${found.objects} objects, ${found.bytes} bytes, listing sha256 ${found.listingSha256.slice(0, 12)}) ${how}`,
    };
  } catch (error) {
    const e = error as Error;
    throw new Error(
      `${field}: ${dataPath}: ${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${e.message}`,
    );
  }
}

/**
 * The local folder a spec's `data.path` names: the path itself; for `dataset:<name>[@version]`
 * the server's dataset, downloaded once into `<workRoot>/datasets/<sha256>`; for
 * `s3://bucket/prefix` the objects under the prefix, downloaded once per listing into
 * `<workRoot>/datasets/s3-<listing sha256>`. Throws with a message naming `field` when
 * the reference is malformed or its dataset cannot be had.
 */
export async function resolveDataPath(
  ctx: DatasetLaunchContext,
  dataPath: string,
  field = "spec.data.path",
): Promise<{ dir: string; note: string | null }> {
  const cacheDir = path.join(ctx.workRoot, "datasets");
  if (dataPath.startsWith(S3_URL_PREFIX)) return resolveS3Path(ctx, cacheDir, dataPath, field);
  const ref = parseDatasetRef(dataPath);
  if (!ref) return { dir: dataPath, note: null };
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
    throw new Error(`${field}: ${dataPath}: ${(error as Error).message}`);
  }
}
