import { createWriteStream } from "node:fs";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from "@aws-sdk/client-s3";
import type { S3Location } from "./s3-location.ts";

export interface S3ObjectEntry {
  /** The full key, prefix included. */
  key: string;
  size: number;
  etag: string;
  lastModified: Date | null;
}

/** Every object under the location's prefix, in key order, every page of the listing. */
export async function listS3Objects(
  client: S3Client,
  location: S3Location,
  opts: { pageSize?: number } = {},
): Promise<S3ObjectEntry[]> {
  const entries: S3ObjectEntry[] = [];
  const pages = paginateListObjectsV2(
    { client, ...(opts.pageSize !== undefined && { pageSize: opts.pageSize }) },
    { Bucket: location.bucket, Prefix: location.prefix },
  );
  for await (const page of pages) {
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      entries.push({
        key: object.Key,
        size: object.Size ?? 0,
        etag: object.ETag ?? "",
        lastModified: object.LastModified ?? null,
      });
    }
  }
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Streams one object into `file`; throws when the bytes written differ from `expectedSize`. */
export async function downloadS3Object(
  client: S3Client,
  bucket: string,
  key: string,
  file: string,
  expectedSize?: number,
): Promise<number> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const out = createWriteStream(file);
  await pipeline(response.Body as Readable, out);
  if (expectedSize !== undefined && out.bytesWritten !== expectedSize) {
    throw new Error(`s3://${bucket}/${key}: got ${out.bytesWritten} bytes, the listing said ${expectedSize}`);
  }
  return out.bytesWritten;
}
