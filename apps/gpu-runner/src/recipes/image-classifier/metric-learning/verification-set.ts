import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { PairsFileError, pairImageStem, parsePairsFile } from "@labtrack/core";
import { decodeExamples } from "../example-set.ts";
import type { DecodedImage } from "../image-decoding.ts";

const IMAGE_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp"];

export interface IndexedPair {
  /** Indices into `images`. */
  first: number;
  second: number;
  same: boolean;
  fold: number;
}

/** Verification pairs with their images decoded once (each image once, however many pairs use it). */
export interface VerificationSet {
  pairsFile: string;
  folds: number;
  pairs: IndexedPair[];
  images: DecodedImage[];
  /** The people the pairs name. */
  identities: string[];
}

async function listPerson(dir: string, name: string, cache: Map<string, string[]>): Promise<string[]> {
  let files = cache.get(name);
  if (!files) {
    const folder = path.join(dir, name);
    files = existsSync(folder) ? (await readdir(folder)).map(String) : [];
    cache.set(name, files);
  }
  return files;
}

/**
 * Reads `<dir>/<pairs>` (LFW's pairs.txt format) and decodes every image it names at `size`.
 * Every problem is an error naming the pairs file and line: a malformed line, an image that is
 * not there (`<name>/<name>_<4-digit n>.{jpg,jpeg,png,webp}`), or one that cannot be decoded.
 */
export async function loadVerificationSet(
  dir: string,
  pairs: string,
  size: number,
): Promise<VerificationSet> {
  const pairsFile = path.resolve(dir, pairs);
  if (!existsSync(pairsFile)) throw new Error(`verification.pairs: ${pairsFile} not found`);
  let parsed: ReturnType<typeof parsePairsFile>;
  try {
    parsed = parsePairsFile(await readFile(pairsFile, "utf8"));
  } catch (error) {
    if (error instanceof PairsFileError)
      throw new Error(`verification.pairs: ${pairsFile}: ${error.message}`);
    throw error;
  }
  const folderCache = new Map<string, string[]>();
  const indexByStem = new Map<string, number>();
  const files: string[] = [];
  const indexed: IndexedPair[] = [];
  for (const pair of parsed.pairs) {
    const ends: number[] = [];
    for (const image of [pair.first, pair.second]) {
      const stem = pairImageStem(image);
      let index = indexByStem.get(stem);
      if (index === undefined) {
        const base = path.basename(stem);
        const listing = await listPerson(dir, image.name, folderCache);
        const found = IMAGE_EXTENSIONS.map((ext) => `${base}${ext}`).find((f) => listing.includes(f));
        if (!found) {
          throw new Error(
            `verification.pairs: ${pairsFile}: line ${pair.line}: image ${stem}.{jpg,jpeg,png,webp} not found in ${dir}`,
          );
        }
        index = files.length;
        files.push(path.join(dir, image.name, found));
        indexByStem.set(stem, index);
      }
      ends.push(index);
    }
    indexed.push({ first: ends[0] as number, second: ends[1] as number, same: pair.same, fold: pair.fold });
  }
  const decoded = await decodeExamples(
    files.map((file) => ({ file, labels: [] })),
    size,
  );
  const skipped = decoded.skipped[0];
  if (skipped) throw new Error(`verification: ${skipped.file} could not be decoded: ${skipped.reason}`);
  const images = decoded.set.images;
  const identities = [...new Set(parsed.pairs.flatMap((p) => [p.first.name, p.second.name]))].sort();
  return { pairsFile, folds: parsed.folds, pairs: indexed, images, identities };
}
