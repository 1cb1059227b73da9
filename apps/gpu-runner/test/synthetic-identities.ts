import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import {
  createRandom,
  deriveSeed,
  type RandomSource,
} from "../src/recipes/image-classifier/seeded-random.ts";

/**
 * Generated "faces" for metric-learning tests and the benchmark: each identity is a fixed layout of
 * coloured blobs (its own positions, sizes and colours, drawn from its name), and each image of it
 * moves, resizes and recolours the blobs a little and adds background noise. Images sit where LFW
 * puts them: `<name>/<name>_<4-digit n>.png`.
 */

interface Blob {
  x: number;
  y: number;
  r: number;
  rgb: [number, number, number];
}

const BLOBS = 5;

function identityLayout(name: string, seed: number): { background: number; blobs: Blob[] } {
  const random = createRandom(deriveSeed(seed, "identity", name));
  return {
    background: 90 + Math.floor(random() * 120),
    blobs: Array.from({ length: BLOBS }, () => ({
      x: 0.15 + random() * 0.7,
      y: 0.15 + random() * 0.7,
      r: 0.08 + random() * 0.12,
      rgb: [0, 1, 2].map(() => Math.floor(random() * 256)) as [number, number, number],
    })),
  };
}

async function renderIdentity(
  name: string,
  size: number,
  seed: number,
  random: RandomSource,
): Promise<Buffer> {
  const layout = identityLayout(name, seed);
  const jitter = (amount: number) => (random() - 0.5) * 2 * amount;
  const blobs = layout.blobs.map((b) => {
    const shade = (c: number) => Math.max(0, Math.min(255, Math.round(c + jitter(30))));
    return (
      `<circle cx="${((b.x + jitter(0.05)) * size).toFixed(1)}" cy="${((b.y + jitter(0.05)) * size).toFixed(1)}" ` +
      `r="${(b.r * (1 + jitter(0.15)) * size).toFixed(1)}" fill="rgb(${b.rgb.map(shade).join(",")})"/>`
    );
  });
  const noise = Array.from({ length: 6 }, () => {
    const grey = Math.floor(random() * 256);
    return (
      `<rect x="${(random() * size).toFixed(1)}" y="${(random() * size).toFixed(1)}" ` +
      `width="${(size * 0.08).toFixed(1)}" height="${(size * 0.08).toFixed(1)}" fill="rgb(${grey},${grey},${grey})"/>`
    );
  });
  const bg = Math.round(layout.background + jitter(20));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">` +
    `<rect width="100%" height="100%" fill="rgb(${bg},${bg},${bg})"/>${noise.join("")}${blobs.join("")}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export const identityName = (prefix: string, i: number) => `${prefix}_${String(i + 1).padStart(2, "0")}`;

/** Writes `perIdentity` images of each identity under `root`, LFW-style. */
export async function writeIdentityFolders(
  root: string,
  names: readonly string[],
  perIdentity: number,
  options: { seed?: number; size?: number } = {},
): Promise<void> {
  const seed = options.seed ?? 21;
  const size = options.size ?? 32;
  for (const name of names) {
    await mkdir(path.join(root, name), { recursive: true });
    const random = createRandom(deriveSeed(seed, "images", name));
    for (let n = 1; n <= perIdentity; n++) {
      await writeFile(
        path.join(root, name, `${name}_${String(n).padStart(4, "0")}.png`),
        await renderIdentity(name, size, seed, random),
      );
    }
  }
}

/**
 * A pairs file in LFW's format over those images: `folds` folds of `pairsPerFold` same pairs
 * (`name n m`) then as many different pairs (`name1 n1 name2 n2`), drawn with the seed.
 */
export function lfwPairsText(
  names: readonly string[],
  perIdentity: number,
  folds: number,
  pairsPerFold: number,
  seed = 5,
): string {
  const random = createRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const lines = [`${folds}\t${pairsPerFold}`];
  for (let f = 0; f < folds; f++) {
    for (let i = 0; i < pairsPerFold; i++) {
      const name = names[pick(names.length)] as string;
      const a = 1 + pick(perIdentity);
      const b = 1 + ((a + pick(perIdentity - 1)) % perIdentity);
      lines.push(`${name}\t${a}\t${b}`);
    }
    for (let i = 0; i < pairsPerFold; i++) {
      const first = pick(names.length);
      const second = (first + 1 + pick(names.length - 1)) % names.length;
      lines.push(`${names[first]}\t${1 + pick(perIdentity)}\t${names[second]}\t${1 + pick(perIdentity)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
