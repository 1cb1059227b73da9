import { Transform } from "node:stream";
import * as tar from "tar";

interface TarParser {
  write(chunk: Buffer): boolean;
  end(): void;
  on(event: "error", listener: (error: Error) => void): void;
  once(event: "close", listener: () => void): void;
}

/**
 * Counts the regular files of a tar (plain or gzipped) as its bytes stream past, so a pushed
 * dataset is read once, not stored and then read back from the blob store (an S3 round trip).
 * `tap` passes every chunk on unchanged; `count()` answers once the stream ended, and throws when
 * the bytes were not a tar.
 */
export function createTarFileCounter() {
  let files = 0;
  let failure: Error | null = null;
  const parser = tar.t({
    strict: true,
    onReadEntry: (entry) => {
      if (entry.type === "File" || entry.type === "OldFile") files += 1;
    },
  }) as unknown as TarParser;
  parser.on("error", (error) => {
    failure ??= error;
  });
  const closed = new Promise<void>((resolve) => parser.once("close", resolve));
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!failure) parser.write(chunk);
      done(null, chunk);
    },
    flush(done) {
      parser.end();
      done();
    },
  });
  async function count(): Promise<number> {
    await closed;
    if (failure) throw failure;
    return files;
  }
  return { tap, count };
}
