import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { createRandom, type RandomSource } from "../src/recipes/image-classifier/seeded-random.ts";

/** Tiny generated image sets of coloured shapes on noisy backgrounds, for tests and the benchmark. */

export type ShapeName = "circle" | "square" | "triangle";

const SHAPE_COLOURS: Record<ShapeName, string> = { circle: "#d22", square: "#2a2", triangle: "#23d" };

function shapeSvg(shape: ShapeName, cx: number, cy: number, r: number, colour: string): string {
  if (shape === "circle") return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${colour}"/>`;
  if (shape === "square")
    return `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="${colour}"/>`;
  return `<polygon points="${cx},${cy - r} ${cx - r},${cy + r} ${cx + r},${cy + r}" fill="${colour}"/>`;
}

function randomColour(random: RandomSource): string {
  const channel = () => Math.floor(random() * 120);
  return `rgb(${channel()},${channel()},${channel()})`;
}

async function renderShapes(
  shapes: ShapeName[],
  size: number,
  random: RandomSource,
  colourByShape = true,
): Promise<Buffer> {
  const grey = Math.floor(150 + random() * 80);
  const parts = shapes.map((shape, i) => {
    const r = size * (0.14 + random() * 0.08);
    const slot = shapes.length > 1 ? (i + 0.5) / shapes.length : 0.5;
    const cx = shapes.length > 1 ? size * slot : size * (0.35 + random() * 0.3);
    const cy = size * (0.35 + random() * 0.3);
    return shapeSvg(shape, cx, cy, r, colourByShape ? SHAPE_COLOURS[shape] : randomColour(random));
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">` +
    `<rect width="100%" height="100%" fill="rgb(${grey},${grey},${grey})"/>${parts.join("")}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/**
 * A folder with one sub-folder per class, `perClass` PNGs each. With `colourByShape: false` every
 * shape gets a random colour, so only its outline tells the classes apart.
 */
export async function writeClassFolderDataset(
  root: string,
  classes: ShapeName[],
  perClass: number,
  options: { seed?: number; size?: number; corruptPerClass?: number; colourByShape?: boolean } = {},
): Promise<void> {
  const random = createRandom(options.seed ?? 7);
  const size = options.size ?? 64;
  for (const shape of classes) {
    const dir = path.join(root, shape);
    await mkdir(dir, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      await writeFile(
        path.join(dir, `${shape}-${i}.png`),
        await renderShapes([shape], size, random, options.colourByShape ?? true),
      );
    }
    for (let i = 0; i < (options.corruptPerClass ?? 0); i++) {
      await writeFile(path.join(dir, `broken-${i}.png`), Buffer.from("this is not a PNG file"));
    }
  }
}

/** Seed 002's layout: `images/` plus `labels.csv` with `filepath,labels` (labels `|`-separated). */
export async function writeMultiLabelDataset(
  root: string,
  count: number,
  options: { seed?: number; size?: number } = {},
) {
  const random = createRandom(options.seed ?? 11);
  const size = options.size ?? 64;
  const all: ShapeName[] = ["circle", "square", "triangle"];
  await mkdir(path.join(root, "images"), { recursive: true });
  const rows = ["filepath,labels"];
  for (let i = 0; i < count; i++) {
    let shapes = all.filter(() => random() < 0.5);
    if (shapes.length === 0) shapes = [all[i % all.length] as ShapeName];
    const file = `img-${i}.png`;
    await writeFile(path.join(root, "images", file), await renderShapes(shapes, size, random));
    rows.push(`${file},${shapes.join("|")}`);
  }
  await writeFile(path.join(root, "labels.csv"), `${rows.join("\n")}\n`);
}
