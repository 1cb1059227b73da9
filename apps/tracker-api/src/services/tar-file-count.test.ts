import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTarFileCounter } from "./tar-file-count.ts";

describe("createTarFileCounter", () => {
  let dir: string;
  const tarOf = async (gzip: boolean) =>
    buffer(tar.c({ cwd: dir, gzip, portable: true }, ["cats", "dogs"]) as unknown as Readable);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-tar-count-"));
    for (const file of ["cats/1.png", "cats/2.png", "dogs/3.png"]) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), `image ${file}`);
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Streams `bytes` through the tap in small chunks; answers what came out and the count. */
  async function run(bytes: Buffer) {
    const counter = createTarFileCounter();
    const chunks = Array.from({ length: Math.ceil(bytes.length / 700) }, (_, i) =>
      bytes.subarray(i * 700, (i + 1) * 700),
    );
    const out: Buffer[] = [];
    await pipeline(Readable.from(chunks), counter.tap, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) out.push(chunk);
    });
    return { passed: Buffer.concat(out), count: counter.count };
  }

  it.each([false, true])(
    "counts the regular files of a tar (gzip %s) and passes its bytes on unchanged",
    async (gzip) => {
      const bytes = await tarOf(gzip);
      const { passed, count } = await run(bytes);
      expect(passed.equals(bytes)).toBe(true);
      expect(await count()).toBe(3);
    },
  );

  it("throws for bytes that are not a tar, after passing them on", async () => {
    const bytes = Buffer.from("this is a CSV, not a tar\n".repeat(100));
    const { passed, count } = await run(bytes);
    expect(passed.equals(bytes)).toBe(true);
    await expect(count()).rejects.toThrow(/^TAR_/);
  });
});
