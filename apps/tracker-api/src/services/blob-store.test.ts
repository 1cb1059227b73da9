import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { createS3Client } from "@labtrack/s3";
import { type S3TestServer, startS3TestServer } from "@labtrack/s3/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobStore } from "./blob-store.ts";
import { type OpenedBlobStore, openBlobStore } from "./blob-store-config.ts";

const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

function patterned(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}

/** A body that arrives in 64 KiB chunks, as a request body does. */
function chunked(bytes: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
    })(),
  );
}

/** A body that fails after `after` bytes, like a client that hangs up mid-upload. */
function failingAfter(bytes: Buffer, after: number): Readable {
  return Readable.from(
    (async function* () {
      yield bytes.subarray(0, after);
      throw new Error("client went away");
    })(),
  );
}

interface Harness {
  store: BlobStore;
  /** Every key or file the store holds, temporary ones included. */
  stored(): Promise<string[]>;
  /** What a crashed upload leaves: one temporary object or file. */
  plantTemporary(): Promise<void>;
  close(): Promise<void>;
}

async function localHarness(): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-blobs-"));
  const opened = openBlobStore({ kind: "local", dir });
  const walk = async (at: string): Promise<string[]> => {
    const entries = await readdir(at, { withFileTypes: true }).catch(() => []);
    const nested = await Promise.all(
      entries.map((e) => (e.isDirectory() ? walk(path.join(at, e.name)) : [path.join(at, e.name)])),
    );
    return nested.flat();
  };
  return {
    store: opened.store,
    stored: async () => (await walk(dir)).map((f) => path.relative(dir, f)),
    plantTemporary: async () => {
      await mkdir(path.join(dir, "tmp"), { recursive: true });
      await writeFile(path.join(dir, "tmp", "crashed-upload"), "half a file");
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

async function s3Harness(): Promise<Harness> {
  const server: S3TestServer = await startS3TestServer();
  // Small parts and copy limits so that a 12 MiB body exercises multipart upload and part copy.
  const opened: OpenedBlobStore = openBlobStore(
    { kind: "s3", location: { bucket: server.bucket, prefix: "team/blobs/" }, settings: server.settings },
    { partSize: 5 * MiB, singleCopyBytes: 10 * MiB, copyPartSize: 5 * MiB },
  );
  const client = createS3Client(server.settings);
  return {
    store: opened.store,
    async stored() {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: server.bucket }));
      return (listed.Contents ?? []).map((o) => o.Key ?? "");
    },
    async plantTemporary() {
      await client.send(
        new PutObjectCommand({
          Bucket: server.bucket,
          Key: "team/blobs/tmp/crashed-upload",
          Body: "half a file",
        }),
      );
    },
    async close() {
      client.destroy();
      opened.close();
      await server.close();
    },
  };
}

describe.each([
  ["local", localHarness],
  ["s3", s3Harness],
] as const)("blob store (%s)", (kind, makeHarness) => {
  let harness: Harness;
  let store: BlobStore;
  beforeAll(async () => {
    harness = await makeHarness();
    store = harness.store;
  });
  afterAll(() => harness.close());

  const blobNames = async () => (await harness.stored()).filter((k) => k.includes("sha256/")).sort();

  it("stores bytes under their sha256 and streams them back", async () => {
    const bytes = patterned(300 * 1024 + 5, 1);
    const put = await store.put(chunked(bytes));
    expect(put).toEqual({ sha256: sha256(bytes), size: bytes.length });
    expect(await store.exists(put.sha256)).toBe(true);
    expect((await buffer(store.read(put.sha256))).equals(bytes)).toBe(true);
    const key = (await blobNames()).find((k) => k.endsWith(put.sha256));
    expect(key).toBe(
      kind === "s3"
        ? `team/blobs/sha256/${put.sha256.slice(0, 2)}/${put.sha256}`
        : path.join("sha256", put.sha256.slice(0, 2), put.sha256),
    );
  });

  it("streams a body larger than several parts in and out intact", async () => {
    const bytes = patterned(12 * MiB + 333, 2);
    const put = await store.put(chunked(bytes));
    expect(put).toEqual({ sha256: sha256(bytes), size: bytes.length });
    const back = createHash("sha256");
    for await (const chunk of store.read(put.sha256)) back.update(chunk as Buffer);
    expect(back.digest("hex")).toBe(put.sha256);
  });

  it("reads a byte range", async () => {
    const bytes = patterned(100_000, 3);
    const { sha256: name } = await store.put(chunked(bytes));
    expect(
      (await buffer(store.read(name, { start: 1000, end: 1999 }))).equals(bytes.subarray(1000, 2000)),
    ).toBe(true);
  });

  it("keeps the same bytes once", async () => {
    const bytes = patterned(10_000, 4);
    const first = await store.put(chunked(bytes));
    const before = await blobNames();
    const second = await store.put(chunked(bytes));
    expect(second).toEqual(first);
    expect(await blobNames()).toEqual(before);
  });

  it("refuses a body past maxBytes and keeps nothing of it", async () => {
    const before = await harness.stored();
    const bytes = patterned(6 * MiB, 5);
    await expect(store.put(chunked(bytes), { maxBytes: 5 * MiB })).rejects.toThrow(
      /larger than 5242880 bytes/,
    );
    expect(await harness.stored()).toEqual(before);
    expect(await store.exists(sha256(bytes))).toBe(false);
  });

  it("keeps nothing of a body whose source fails mid-way", async () => {
    const before = await harness.stored();
    const bytes = patterned(7 * MiB, 6);
    await expect(store.put(failingAfter(bytes, 6 * MiB))).rejects.toThrow(/client went away/);
    expect(await harness.stored()).toEqual(before);
  });

  it("never makes visible a body whose sha256 is not the expected one", async () => {
    const before = await harness.stored();
    const bytes = patterned(50_000, 7);
    await expect(store.put(chunked(bytes), { expectedSha256: "0".repeat(64) })).rejects.toThrow(
      /the body hashes to [0-9a-f]{64}, not the expected 0{64}/,
    );
    expect(await store.exists(sha256(bytes))).toBe(false);
    expect(await harness.stored()).toEqual(before);
    const ok = await store.put(chunked(bytes), { expectedSha256: sha256(bytes) });
    expect(ok.sha256).toBe(sha256(bytes));
  });

  it("keeps nothing of a body its caller's accept() refuses, and keeps what it accepts", async () => {
    const before = await harness.stored();
    const bytes = patterned(20_000, 8);
    const refuse = async () => {
      throw new Error("not a tar");
    };
    await expect(store.put(chunked(bytes), { accept: refuse })).rejects.toThrow("not a tar");
    expect(await harness.stored()).toEqual(before);
    let seen: { sha256: string; size: number } | null = null;
    const put = await store.put(chunked(bytes), {
      accept: async (blob) => {
        seen = blob;
      },
    });
    expect(seen).toEqual(put);
    expect(await store.exists(put.sha256)).toBe(true);
  });

  it("sweeps temporary uploads older than the cutoff, and only those", async () => {
    const before = await harness.stored();
    await harness.plantTemporary();
    expect((await harness.stored()).length).toBe(before.length + 1);
    expect(await store.sweepTemporary(new Date(Date.now() - 60_000))).toBe(0);
    expect(await store.sweepTemporary(new Date(Date.now() + 60_000))).toBe(1);
    expect(await harness.stored()).toEqual(before);
  });

  it("stores an empty body", async () => {
    const put = await store.put(Readable.from([]));
    expect(put).toEqual({ sha256: sha256(Buffer.alloc(0)), size: 0 });
    expect((await buffer(store.read(put.sha256))).length).toBe(0);
  });

  it("errors the read stream of a blob it does not have", async () => {
    expect(await store.exists("f".repeat(64))).toBe(false);
    await expect(buffer(store.read("f".repeat(64)))).rejects.toThrow();
  });
});

describe("opening the configured store", () => {
  it("checks at start that the bucket can be reached, naming LABTRACK_ARTIFACT_STORE", async () => {
    const server = await startS3TestServer();
    try {
      const good = openBlobStore({
        kind: "s3",
        location: { bucket: server.bucket, prefix: "" },
        settings: server.settings,
      });
      await expect(good.check()).resolves.toBeUndefined();
      good.close();
      const missing = openBlobStore({
        kind: "s3",
        location: { bucket: "no-such-bucket", prefix: "x/" },
        settings: server.settings,
      });
      await expect(missing.check()).rejects.toThrow(
        `LABTRACK_ARTIFACT_STORE: cannot reach s3://no-such-bucket/x/ at ${server.endpoint} (no such bucket)`,
      );
      missing.close();
    } finally {
      await server.close();
    }
  });
});
