import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Content-addressed files: `<root>/sha256/ab/abcdef…`. The same bytes are stored once. */
export function createBlobStore(root: string) {
  const tmpDir = path.join(root, "tmp");

  const blobPath = (sha256: string) => path.join(root, "sha256", sha256.slice(0, 2), sha256);

  /** Streams `source` to disk while hashing it; never holds the whole file in memory. */
  async function put(
    source: Readable,
    opts: { maxBytes?: number } = {},
  ): Promise<{ sha256: string; size: number }> {
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const hash = createHash("sha256");
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (opts.maxBytes !== undefined && size > opts.maxBytes) {
          done(new Error(`file is larger than ${opts.maxBytes} bytes`));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(tmp));
      const sha256 = hash.digest("hex");
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

  const read = (sha256: string, range?: { start: number; end: number }) =>
    createReadStream(blobPath(sha256), range);

  return { put, read, exists, blobPath };
}
export type BlobStore = ReturnType<typeof createBlobStore>;
