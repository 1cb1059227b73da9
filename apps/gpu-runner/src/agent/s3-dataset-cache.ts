import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  downloadS3Object,
  formatS3Url,
  listS3Objects,
  type S3Location,
  type S3ObjectEntry,
} from "@labtrack/s3";
import { createContentCache } from "./content-cache.ts";

const DOWNLOADS_IN_FLIGHT = 8;

export interface ResolvedS3Dataset {
  dir: string;
  /** sha256 over the listing's (key, ETag, size) triples: the cache folder is `s3-<listingSha256>`. */
  listingSha256: string;
  objects: number;
  bytes: number;
  /** False when an earlier run (or a concurrent one) had already downloaded this listing. */
  downloaded: boolean;
}

/** The object's path below the prefix, checked so that no key can write outside the folder. */
export function relativeObjectPath(location: S3Location, key: string): string {
  const relative = key.slice(location.prefix.length);
  const segments = relative.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    throw new Error(`${formatS3Url(location, relative)}: the key has an empty, '.' or '..' segment`);
  }
  return segments.join(path.sep);
}

/** One digest of what the listing says: any object added, removed or rewritten changes it. */
export function listingDigest(location: S3Location, entries: readonly S3ObjectEntry[]): string {
  const hash = createHash("sha256");
  hash.update(`${location.bucket}\n`);
  for (const entry of entries) {
    hash.update(`${entry.key.slice(location.prefix.length)}\0${entry.etag}\0${entry.size}\n`);
  }
  return hash.digest("hex");
}

/**
 * Turns `s3://bucket/prefix` into a local folder with the same rule as `dataset:` refs: the
 * objects are listed, the folder is named by a digest of the listing, and a listing already
 * downloaded (by this run, an earlier one or a concurrent one) is not downloaded again.
 * Folder-marker keys (ending in `/`) are skipped.
 */
export function createS3DatasetCache(opts: { cacheDir: string; client: S3Client }) {
  const cache = createContentCache(opts.cacheDir);

  async function resolve(location: S3Location): Promise<ResolvedS3Dataset> {
    const entries = (await listS3Objects(opts.client, location)).filter((e) => !e.key.endsWith("/"));
    if (entries.length === 0) throw new Error(`no objects under ${formatS3Url(location)}`);
    const files = entries.map((entry) => ({ entry, file: relativeObjectPath(location, entry.key) }));
    const listingSha256 = listingDigest(location, entries);
    const { dir, filled } = await cache.ensure(`s3-${listingSha256}`, async (staging) => {
      // A dataset is often thousands of small images: a few GETs in flight hide the round trips.
      let next = 0;
      let failed = false;
      const worker = async () => {
        for (let i = next++; i < files.length && !failed; i = next++) {
          const { entry, file } = files[i]!;
          const target = path.join(staging, file);
          try {
            await mkdir(path.dirname(target), { recursive: true });
            await downloadS3Object(opts.client, location.bucket, entry.key, target, entry.size);
          } catch (error) {
            failed = true;
            throw error;
          }
        }
      };
      // Every worker has stopped before the staging folder is removed.
      const settled = await Promise.allSettled(
        Array.from({ length: Math.min(DOWNLOADS_IN_FLIGHT, files.length) }, worker),
      );
      const rejected = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (rejected) throw rejected.reason;
    });
    return {
      dir,
      listingSha256,
      objects: entries.length,
      bytes: entries.reduce((sum, e) => sum + e.size, 0),
      downloaded: filled,
    };
  }

  return { resolve };
}
export type S3DatasetCache = ReturnType<typeof createS3DatasetCache>;
