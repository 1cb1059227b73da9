import { type Dirent, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";

/** The kinds of log file Labtrack reads. */
export type LogFileKind = "tensorboard" | "csv";

/**
 * A folder whose log files become metrics, keys relative to it. `match` (relative `/` paths) picks
 * the files a glob names; without it, every TensorBoard event file below the folder counts.
 */
export interface WatchRoot {
  dir: string;
  match: ((relative: string) => boolean) | null;
}

export interface LogFileFound {
  file: string;
  kind: LogFileKind;
  root: WatchRoot;
  /** `<folder of the file relative to the root>/`, or "" for files directly in the root. */
  keyPrefix: string;
}

/** TensorBoard's own rule (event_file_loader / io_wrapper): an event file's name contains "tfevents". */
export const isEventFileName = (name: string) => name.includes("tfevents");

/** Folders never searched for logs: they are large and hold none. */
const SKIPPED_DIRS = new Set(["node_modules", ".git", "__pycache__", ".venv", "venv"]);
const MAX_DEPTH = 8;
/** A bound on the files one scan lists, so a huge working folder cannot stall the poll. */
export const MAX_FILES_PER_SCAN = 20_000;

/**
 * The roots a `spec.watch` entry stands for, relative to `base` unless absolute: a glob
 * (`logs/*.csv`) is its static folder with a matcher; a plain path is a folder (event files below
 * it) or one file (a CSV log, or an event file).
 */
export function watchRootOf(entry: string, base: string): WatchRoot {
  const scan = picomatch.scan(entry);
  if (scan.isGlob) {
    const matcher = picomatch(scan.glob, { dot: false });
    return { dir: path.resolve(base, scan.base || "."), match: (relative) => matcher(relative) };
  }
  const target = path.resolve(base, entry);
  let isFile = false;
  try {
    isFile = statSync(target).isFile();
  } catch {
    // Not there yet: the run may create it later; taken as a folder until then.
  }
  if (!isFile) return { dir: target, match: null };
  const name = path.basename(target);
  return { dir: path.dirname(target), match: (relative) => relative === name };
}

async function listFiles(dir: string, budget: { left: number }): Promise<string[]> {
  const files: string[] = [];
  async function walk(folder: string, depth: number): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (budget.left <= 0) return;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIPPED_DIRS.has(entry.name)) await walk(full, depth + 1);
      } else if (entry.isFile()) {
        budget.left--;
        files.push(full);
      }
    }
  }
  await walk(dir, 0);
  return files;
}

function kindFor(root: WatchRoot, relative: string): LogFileKind | null {
  const eventFile = isEventFileName(path.posix.basename(relative));
  if (root.match) {
    if (!root.match(relative)) return null;
    return eventFile ? "tensorboard" : "csv";
  }
  return eventFile ? "tensorboard" : null;
}

/**
 * The log files under the roots now. A file under several roots belongs to the deepest one, so a
 * watched sub-folder of the working folder gives keys relative to itself, once.
 */
export async function findLogFiles(
  roots: WatchRoot[],
): Promise<{ files: LogFileFound[]; truncated: boolean }> {
  const budget = { left: MAX_FILES_PER_SCAN };
  const found = new Map<string, LogFileFound>();
  for (const root of roots) {
    for (const file of await listFiles(root.dir, budget)) {
      const relative = path.relative(root.dir, file).split(path.sep).join("/");
      const kind = kindFor(root, relative);
      if (!kind) continue;
      const earlier = found.get(file);
      if (earlier && earlier.root.dir.length >= root.dir.length) continue;
      const folder = path.posix.dirname(relative);
      found.set(file, { file, kind, root, keyPrefix: folder === "." ? "" : `${folder}/` });
    }
  }
  return {
    files: [...found.values()].sort((a, b) => a.file.localeCompare(b.file)),
    truncated: budget.left <= 0,
  };
}
