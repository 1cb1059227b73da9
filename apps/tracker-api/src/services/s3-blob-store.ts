import { randomUUID } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type S3Client,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { formatS3Url, listS3Objects, type S3Location } from "@labtrack/s3";
import {
  type BlobStore,
  type ByteRange,
  checkExpectedSha256,
  createHashingMeter,
  type PutOptions,
} from "./blob-store.ts";

const MiB = 1024 * 1024;
/** The largest object one CopyObject may copy (S3's limit); bigger ones are copied in parts. */
const MAX_SINGLE_COPY_BYTES = 5 * 1024 * MiB;

export interface S3BlobStoreOptions extends S3Location {
  client: S3Client;
  /** Multipart upload part size (at least 5 MiB, S3's minimum); parts in flight = queueSize. */
  partSize?: number;
  queueSize?: number;
  /** Blobs above this are moved to their final key with UploadPartCopy, in parts this big. */
  singleCopyBytes?: number;
  copyPartSize?: number;
}

const isNotFound = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NotFound" || e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404;
};

/**
 * Blobs as objects `<prefix>sha256/ab/abcdef…` in one bucket of AWS S3 or an S3-compatible server.
 * A body streams into a temporary key (multipart for large bodies, a few parts in memory at most)
 * while it is hashed; only once its size and sha256 check out is it copied to its content
 * address, so a key under `sha256/` always holds the bytes its name says.
 */
export function createS3BlobStore(opts: S3BlobStoreOptions): BlobStore {
  const { client, bucket, prefix } = opts;
  const partSize = opts.partSize ?? 8 * MiB;
  const singleCopyBytes = opts.singleCopyBytes ?? MAX_SINGLE_COPY_BYTES;
  const copyPartSize = opts.copyPartSize ?? 512 * MiB;
  const tmpPrefix = `${prefix}tmp/`;
  const blobKey = (sha256: string) => `${prefix}sha256/${sha256.slice(0, 2)}/${sha256}`;
  const copySource = (key: string) => `${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;

  async function head(key: string): Promise<{ size: number; etag: string } | null> {
    try {
      const found = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: found.ContentLength ?? 0, etag: found.ETag ?? "" };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  const remove = (key: string) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));

  /** Streams the body to a temporary key; answers its hash and size once S3 has all of it. */
  async function uploadTemporary(source: Readable, key: string, maxBytes: number | undefined) {
    const { meter, result } = createHashingMeter(maxBytes);
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: meter, ContentType: "application/octet-stream" },
      partSize,
      queueSize: opts.queueSize ?? 4,
    });
    const [piped, uploaded] = await Promise.allSettled([pipeline(source, meter), upload.done()]);
    if (piped.status === "rejected") {
      // A body that failed (too large, client gone) may leave the upload waiting for more.
      await upload.abort().catch(() => {});
      throw piped.reason;
    }
    if (uploaded.status === "rejected") throw uploaded.reason;
    return result();
  }

  /** S3 copies up to 5 GiB in one request; a bigger blob is copied part by part, server-side. */
  async function copyInto(from: string, to: string, size: number, etag: string): Promise<void> {
    if (size <= singleCopyBytes) {
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: to,
          CopySource: copySource(from),
          CopySourceIfMatch: etag,
          ContentType: "application/octet-stream",
        }),
      );
      return;
    }
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: to, ContentType: "application/octet-stream" }),
    );
    try {
      const parts: { PartNumber: number; ETag: string }[] = [];
      for (let start = 0, part = 1; start < size; start += copyPartSize, part++) {
        const end = Math.min(start + copyPartSize, size) - 1;
        const copied = await client.send(
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key: to,
            UploadId,
            PartNumber: part,
            CopySource: copySource(from),
            CopySourceIfMatch: etag,
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        );
        parts.push({ PartNumber: part, ETag: copied.CopyPartResult?.ETag ?? "" });
      }
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: to,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (error) {
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId }))
        .catch(() => {});
      throw error;
    }
  }

  async function put(source: Readable, putOpts: PutOptions = {}): Promise<{ sha256: string; size: number }> {
    const tmp = `${tmpPrefix}${randomUUID()}`;
    try {
      const { sha256, size } = await uploadTemporary(source, tmp, putOpts.maxBytes);
      checkExpectedSha256(sha256, putOpts);
      await putOpts.accept?.({ sha256, size });
      const stored = await head(tmp);
      if (!stored || stored.size !== size) {
        throw new Error(
          `${formatS3Url(opts, tmp.slice(prefix.length))}: S3 holds ${stored?.size ?? "no"} bytes, ${size} were sent`,
        );
      }
      const target = blobKey(sha256);
      if (!(await head(target))) await copyInto(tmp, target, size, stored.etag);
      return { sha256, size };
    } finally {
      await remove(tmp).catch(() => {});
    }
  }

  async function exists(sha256: string): Promise<boolean> {
    return (await head(blobKey(sha256))) !== null;
  }

  /** A stream at once; the GetObject behind it starts right away and stops when the reader does. */
  function read(sha256: string, range?: ByteRange): Readable {
    const out = new PassThrough({ highWaterMark: MiB });
    const abort = new AbortController();
    // A reader that stops early (a client hanging up) stops the download too.
    out.once("close", () => {
      if (!out.writableFinished) abort.abort();
    });
    const key = blobKey(sha256);
    client
      .send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(range && { Range: `bytes=${range.start}-${range.end}` }),
        }),
        { abortSignal: abort.signal },
      )
      .then((response) => pipeline(response.Body as Readable, out))
      .catch((error: unknown) => {
        out.destroy(
          isNotFound(error)
            ? new Error(`blob ${sha256}: no object ${formatS3Url(opts, key.slice(prefix.length))}`)
            : (error as Error),
        );
      });
    return out;
  }

  /** Temporary objects only; unfinished multipart uploads are a bucket lifecycle rule's job. */
  async function sweepTemporary(olderThan: Date): Promise<number> {
    const stale = (await listS3Objects(client, { bucket, prefix: tmpPrefix })).filter(
      (o) => o.lastModified !== null && o.lastModified < olderThan,
    );
    for (const object of stale) await remove(object.key);
    return stale.length;
  }

  return { location: formatS3Url(opts), put, read, exists, sweepTemporary };
}
