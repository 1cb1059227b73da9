import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface PutOptions {
  /** Refuse (and keep nothing of) a body longer than this. */
  maxBytes?: number;
  /** Refuse (and keep nothing of) a body whose sha256 differs: it never becomes visible. */
  expectedSha256?: string;
  /** Last word on a fully received body, before it becomes visible; throwing keeps nothing. */
  accept?: (blob: { sha256: string; size: number }) => Promise<void>;
}

/** An inclusive byte range, as HTTP's `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Content-addressed bytes: a blob's name is the sha256 of its content, so the same bytes are
 * stored once. Bodies stream in and out; no store holds a whole file in memory.
 */
export interface BlobStore {
  /** Where the blobs live, for logs and the startup line. */
  readonly location: string;
  put(source: Readable, opts?: PutOptions): Promise<{ sha256: string; size: number }>;
  /** The blob's bytes (or a range of them); the stream errors when there is no such blob. */
  read(sha256: string, range?: ByteRange): Readable;
  exists(sha256: string): Promise<boolean>;
  /**
   * Removes what uploads interrupted by a crash left in the temporary area, when older than
   * `olderThan` (uploads in progress on other API processes are younger); answers how many.
   */
  sweepTemporary(olderThan: Date): Promise<number>;
}

/** A body the store refused: too large, or not the bytes the client said it sent. Nothing was kept. */
export class BlobRejectedError extends Error {
  constructor(
    readonly reason: "too-large" | "sha256-mismatch",
    message: string,
  ) {
    super(message);
    this.name = "BlobRejectedError";
  }
}

/** Counts and hashes what flows through; fails the stream once it passes `maxBytes`. */
export function createHashingMeter(maxBytes: number | undefined) {
  const hash = createHash("sha256");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (maxBytes !== undefined && size > maxBytes) {
        done(new BlobRejectedError("too-large", `file is larger than ${maxBytes} bytes`));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { meter, result: () => ({ sha256: hash.digest("hex"), size }) };
}

export function checkExpectedSha256(actual: string, opts: PutOptions): void {
  if (opts.expectedSha256 !== undefined && opts.expectedSha256 !== actual) {
    throw new BlobRejectedError(
      "sha256-mismatch",
      `the body hashes to ${actual}, not the expected ${opts.expectedSha256}`,
    );
  }
}

/** Content-addressed files: `<root>/sha256/ab/abcdef…`. */
export function createLocalBlobStore(root: string): BlobStore & { blobPath(sha256: string): string } {
  const tmpDir = path.join(root, "tmp");

  const blobPath = (sha256: string) => path.join(root, "sha256", sha256.slice(0, 2), sha256);

  /** Streams `source` to a temporary file while hashing it; renamed into place once it checks out. */
  async function put(source: Readable, opts: PutOptions = {}): Promise<{ sha256: string; size: number }> {
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const { meter, result } = createHashingMeter(opts.maxBytes);
    try {
      await pipeline(source, meter, createWriteStream(tmp));
      const { sha256, size } = result();
      checkExpectedSha256(sha256, opts);
      await opts.accept?.({ sha256, size });
      const target = blobPath(sha256);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(tmp, target);
      return { sha256, size };
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async function exists(sha256: string): Promise<boolean> {
    try {
      await stat(blobPath(sha256));
      return true;
    } catch {
      return false;
    }
  }

  const read = (sha256: string, range?: ByteRange) => createReadStream(blobPath(sha256), range);

  async function sweepTemporary(olderThan: Date): Promise<number> {
    let removed = 0;
    for (const name of await readdir(tmpDir).catch(() => [])) {
      const file = path.join(tmpDir, name);
      const info = await stat(file).catch(() => null);
      if (info && info.mtime < olderThan) {
        await rm(file, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  return { location: root, put, read, exists, sweepTemporary, blobPath };
}
