import { createS3Client, type S3Location, type S3Settings } from "@labtrack/s3";
import { type BlobStore, createLocalBlobStore } from "./blob-store.ts";
import { createS3BlobStore, type S3BlobStoreOptions } from "./s3-blob-store.ts";

/** Which store holds artifact and dataset blobs (env.ts reads it from LABTRACK_ARTIFACT_STORE). */
export type BlobStoreConfig =
  | { kind: "local"; dir: string }
  | { kind: "s3"; location: S3Location; settings: S3Settings };

export interface OpenedBlobStore {
  store: BlobStore;
  /** Releases the S3 client's sockets; nothing to do for a folder. */
  close(): void;
}

export function openBlobStore(
  config: BlobStoreConfig,
  tuning: Pick<S3BlobStoreOptions, "partSize" | "singleCopyBytes" | "copyPartSize"> = {},
): OpenedBlobStore {
  if (config.kind === "local") return { store: createLocalBlobStore(config.dir), close: () => {} };
  const client = createS3Client(config.settings);
  return {
    store: createS3BlobStore({ client, ...config.location, ...tuning }),
    close: () => client.destroy(),
  };
}
