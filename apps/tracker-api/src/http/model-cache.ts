import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Artifact } from "@labtrack/schemas";
import type { BlobStore } from "../services/blob-store.ts";

/** The artifact folder an image-classifier run exports its model under. */
export const MODEL_PREFIX = "model/";
const REQUIRED_FILES = ["model.json", "inference_config.json"];

/** The exported model's files of a run, or the name of the first required file it lacks. */
export function exportedModelFiles(
  artifacts: readonly Artifact[],
): { ok: true; files: Artifact[] } | { ok: false; missing: string } {
  const files = artifacts.filter((a) => a.path.startsWith(MODEL_PREFIX));
  for (const required of REQUIRED_FILES) {
    if (!files.some((a) => a.path === `${MODEL_PREFIX}${required}`)) {
      return { ok: false, missing: `${MODEL_PREFIX}${required}` };
    }
  }
  return { ok: true, files };
}

/** One sha256 over every file's path and content hash: equal models share a cache folder. */
export function modelKey(files: readonly Artifact[]): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    hash.update(`${file.path}\0${file.sha256}\n`);
  }
  return hash.digest("hex");
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies a model's blobs into `<cacheDir>/<key>/` (paths relative to `model/`) unless a complete
 * copy is there already. The folder appears by one rename, so concurrent requests, or several
 * API processes on one data dir, never see it half written.
 */
export async function materialiseModel(
  blobs: BlobStore,
  cacheDir: string,
  files: readonly Artifact[],
): Promise<string> {
  const target = path.join(cacheDir, modelKey(files));
  if (await exists(target)) return target;
  const staging = path.join(cacheDir, `.staging-${randomUUID()}`);
  try {
    for (const file of files) {
      const destination = path.join(staging, file.path.slice(MODEL_PREFIX.length));
      await mkdir(path.dirname(destination), { recursive: true });
      await pipeline(blobs.read(file.sha256), createWriteStream(destination));
    }
    await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
      // Another request finished the same model first: theirs is identical.
      if (!(await exists(target))) throw error;
    });
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
