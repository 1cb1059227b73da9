import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";

/** Thrown when another live process holds the lock. */
export class DataDirLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly holderPid: number,
  ) {
    super(
      `the embedded database at ${lockFile.replace(/\.lock$/, "")} is in use by another tracker-api ` +
        `(process ${holderPid}); PGlite serves one process only: stop that one, or give this one ` +
        `its own LABTRACK_DATA_DIR (or a DATABASE_URL, where several processes may share a database)`,
    );
    this.name = "DataDirLockedError";
  }
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

function holderOf(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  // Our own pid in the file is a previous life of this container or host (pids are reused).
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes `<file>` for this process: the file holds the pid of the process that owns the data
 * directory. A lock whose process is gone (kill -9, power loss) is taken over, so a crash never
 * leaves the directory stuck; a lock whose process lives is refused with `DataDirLockedError`.
 */
export function acquireDataDirLock(file: string): DataDirLock {
  const candidate = `${file}.${process.pid}.tmp`;
  writeFileSync(candidate, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        // link() fails when the target exists: only one process can create the lock.
        linkSync(candidate, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = holderOf(file);
        if (holder === null) continue;
        if (holder > 0 && isAlive(holder)) throw new DataDirLockedError(file, holder);
        // Stale: move it aside under a name only we use, then look again (another starter may race).
        const aside = `${file}.stale.${process.pid}`;
        try {
          renameSync(file, aside);
        } catch (renameError) {
          if ((renameError as NodeJS.ErrnoException).code !== "ENOENT") throw renameError;
          continue;
        }
        const moved = holderOf(aside);
        if (moved !== holder && moved !== null && moved > 0 && isAlive(moved)) {
          // What we moved was a fresh lock another starter took in between: put it back, it owns
          // the directory.
          try {
            linkSync(aside, file);
          } finally {
            unlinkSync(aside);
          }
          throw new DataDirLockedError(file, moved);
        }
        unlinkSync(aside);
        continue;
      }
      if (holderOf(file) !== process.pid) continue;
      return { file, release: () => releaseIfOurs(file) };
    }
    throw new Error(`could not take the lock ${file}: it keeps changing hands`);
  } finally {
    unlinkSync(candidate);
  }
}

function releaseIfOurs(file: string): void {
  if (holderOf(file) === process.pid) unlinkSync(file);
}
