import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** One image and the indices of its classes (one for single-label data). */
export interface LabelledImage {
  file: string;
  labels: number[];
}

export interface DatasetListing {
  classNames: string[];
  /** True when some image carries more than one label. */
  multiLabel: boolean;
  images: LabelledImage[];
  /** Splits fixed by the dataset itself (pre-split CSVs); otherwise the recipe splits `images`. */
  presplit?: { train: LabelledImage[]; val: LabelledImage[]; test: LabelledImage[] };
}

export interface CsvFileNames {
  all: string;
  train: string;
  val: string;
  test: string;
}

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".webp"]);

function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

async function listClassFolders(root: string): Promise<DatasetListing> {
  const entries = await readdir(root, { withFileTypes: true });
  const classNames = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort();
  if (classNames.length < 2) {
    throw new Error(`${root}: expected one sub-folder per class, found ${classNames.length}`);
  }
  const images: LabelledImage[] = [];
  for (const [index, name] of classNames.entries()) {
    const files = (await readdir(path.join(root, name))).filter(isImageFile).sort();
    for (const file of files) images.push({ file: path.join(root, name, file), labels: [index] });
  }
  return { classNames, multiLabel: false, images };
}

interface CsvRow {
  file: string;
  labels: string[];
}

/** Reads `filepath,labels` rows; labels are `|`-separated; quoted fields are unquoted. */
async function readLabelsCsv(csvPath: string, imagesDir: string): Promise<CsvRow[]> {
  const lines = (await readFile(csvPath, "utf8")).split(/\r?\n/).filter((line) => line.trim() !== "");
  const header = lines[0]?.toLowerCase().replace(/"/g, "").split(",");
  if (header?.[0]?.trim() !== "filepath" || header[1]?.trim() !== "labels") {
    throw new Error(`${csvPath}: the header must be 'filepath,labels'`);
  }
  return lines.slice(1).map((line, i) => {
    const comma = line.lastIndexOf(",");
    if (comma < 0) throw new Error(`${csvPath}:${i + 2}: expected 'filepath,labels'`);
    const unquote = (text: string) => text.trim().replace(/^"(.*)"$/, "$1");
    const file = unquote(line.slice(0, comma));
    const labels = unquote(line.slice(comma + 1))
      .split("|")
      .map((label) => label.trim())
      .filter((label) => label !== "");
    return { file: path.resolve(imagesDir, file), labels };
  });
}

async function listCsv(root: string, names: CsvFileNames): Promise<DatasetListing> {
  const imagesDir = existsSync(path.join(root, "images")) ? path.join(root, "images") : root;
  const presplitFiles = [names.train, names.val, names.test].map((name) => path.join(root, name));
  const isPresplit = presplitFiles.every((file) => existsSync(file));
  const rowGroups = isPresplit
    ? await Promise.all(presplitFiles.map((file) => readLabelsCsv(file, imagesDir)))
    : [await readLabelsCsv(path.join(root, names.all), imagesDir)];
  const classNames = [...new Set(rowGroups.flat().flatMap((row) => row.labels))].sort();
  const indexOf = new Map(classNames.map((name, index) => [name, index]));
  const toImages = (rows: CsvRow[]) =>
    rows.map((row) => ({ file: row.file, labels: row.labels.map((label) => indexOf.get(label) ?? -1) }));
  const groups = rowGroups.map(toImages);
  const images = groups.flat();
  const multiLabel = images.some((image) => image.labels.length !== 1);
  const [train, val, test] = groups;
  return {
    classNames,
    multiLabel,
    images,
    presplit: isPresplit && train && val && test ? { train, val, test } : undefined,
  };
}

/**
 * Lists a dataset folder: one sub-folder per class, or CSV files `filepath,labels` (seed 002's
 * layout, with its own train/val/test CSVs when present).
 */
export async function listDataset(
  root: string,
  layout: "auto" | "class-folders" | "csv",
  csvFiles: CsvFileNames,
): Promise<DatasetListing> {
  if (!existsSync(root)) throw new Error(`dataset folder not found: ${root}`);
  const hasCsv = [csvFiles.all, csvFiles.train].some((name) => existsSync(path.join(root, name)));
  const useCsv = layout === "csv" || (layout === "auto" && hasCsv);
  return useCsv ? listCsv(root, csvFiles) : listClassFolders(root);
}
