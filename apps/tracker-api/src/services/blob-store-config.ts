import { mkdir } from "node:fs/promises";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { createS3Client, formatS3Url, type S3Location, type S3Settings } from "@labtrack/s3";
import { type BlobStore, createLocalBlobStore } from "./blob-store.ts";
import { createS3BlobStore, type S3BlobStoreOptions } from "./s3-blob-store.ts";

/** Which store holds artifact and dataset blobs (env.ts reads it from LABTRACK_ARTIFACT_STORE). */
export type BlobStoreConfig =
  | { kind: "local"; dir: string }
  | { kind: "s3"; location: S3Location; settings: S3Settings };

export interface OpenedBlobStore {
  store: BlobStore;
  /** Fails, naming LABTRACK_ARTIFACT_STORE, when the folder cannot be made or the bucket reached. */
  check(): Promise<void>;
  /** Releases the S3 client's sockets; nothing to do for a folder. */
  close(): void;
}

export function openBlobStore(
  config: BlobStoreConfig,
  tuning: Pick<S3BlobStoreOptions, "partSize" | "singleCopyBytes" | "copyPartSize"> = {},
): OpenedBlobStore {
  if (config.kind === "local") {
    return {
      store: createLocalBlobStore(config.dir),
      check: async () => {
        await mkdir(config.dir, { recursive: true });
      },
      close: () => {},
    };
  }
  const client = createS3Client(config.settings);
  return {
    store: createS3BlobStore({ client, ...config.location, ...tuning }),
    async check() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: config.location.bucket }));
      } catch (error) {
        const e = error as Error & { $metadata?: { httpStatusCode?: number } };
        const status = e.$metadata?.httpStatusCode;
        const why =
          status === 404 ? "no such bucket" : status === 403 ? "access denied" : `${e.name}: ${e.message}`;
        throw new Error(
          `LABTRACK_ARTIFACT_STORE: cannot reach ${formatS3Url(config.location)}${config.settings.endpoint ? ` at ${config.settings.endpoint}` : ""} (${why})`,
        );
      }
    },
    close: () => client.destroy(),
  };
}
