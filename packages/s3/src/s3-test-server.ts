import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import type { S3Settings } from "./s3-client.ts";

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  settings: S3Settings;
  close(): Promise<void>;
}

/**
 * An S3-compatible server (s3rver, pure JavaScript) on a free loopback port, with one empty
 * bucket, its objects in a temporary folder that `close` removes.
 */
export async function startS3TestServer(bucket = "labtrack-test"): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "labtrack-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    // s3rver's fixed credentials; it checks the signatures made with them.
    settings: { endpoint, region: "us-east-1", accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
