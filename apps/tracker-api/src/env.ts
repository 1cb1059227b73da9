import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseS3Url } from "@labtrack/s3";
import { z } from "zod";
import type { BlobStoreConfig } from "./services/blob-store-config.ts";

const envSchema = z.object({
  LABTRACK_PORT: z.coerce.number().int().min(0).max(65535).default(8420),
  LABTRACK_HOST: z.string().default("127.0.0.1"),
  /** A Postgres server; without it the embedded PGlite keeps its data under LABTRACK_DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  LABTRACK_DATA_DIR: z.string().default(".labtrack"),
  LABTRACK_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** The address people reach the server at, for the printed login link. */
  LABTRACK_PUBLIC_URL: z.string().url().optional(),
  LABTRACK_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** The built dashboard to serve at `/`; defaults to apps/dashboard/dist beside this package. */
  LABTRACK_DASHBOARD_DIR: z.string().optional(),
  /** A claimed run is lost when its runner sends no heartbeat for this long. */
  LABTRACK_LEASE_MS: z.coerce.number().int().min(100).default(30_000),
  /** How often runners heartbeat (told to each runner when it registers). */
  LABTRACK_HEARTBEAT_MS: z.coerce.number().int().min(50).default(5_000),
  LABTRACK_REAPER_INTERVAL_MS: z.coerce.number().int().min(50).default(2_000),
  /** How often the sweep controller queues and prunes the running sweeps' runs. */
  LABTRACK_SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
  /** `s3://<bucket>/<prefix>`: artifact and dataset blobs in S3; unset: under LABTRACK_DATA_DIR/blobs. */
  LABTRACK_ARTIFACT_STORE: z.string().optional(),
  /** An S3-compatible server (MinIO, …) instead of AWS; addressed path-style. */
  LABTRACK_S3_ENDPOINT: z
    .url({ protocol: /^https?$/, error: "must be the S3 server's http(s) URL, e.g. http://minio:9000" })
    .optional(),
  AWS_REGION: z.string().min(1).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
  /** pnpm and npm set this to the directory the command was typed in. */
  INIT_CWD: z.string().optional(),
});

export type Env = z.infer<typeof envSchema> & {
  dataDir: string;
  dashboardDir: string;
  blobStore: BlobStoreConfig;
};

/**
 * apps/dashboard/dist, found by path: the API does not depend on the dashboard package (the same
 * path from src/env.ts and from the bundle, dist/main.js).
 */
const bundledDashboardDir = fileURLToPath(new URL("../../dashboard/dist", import.meta.url));

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid environment: ${problems}`);
  }
  const env = parsed.data;
  const base = env.INIT_CWD ?? process.cwd();
  const dataDir = path.resolve(base, env.LABTRACK_DATA_DIR);
  return {
    ...env,
    dataDir,
    blobStore: readBlobStoreConfig(env, dataDir),
    dashboardDir: env.LABTRACK_DASHBOARD_DIR
      ? path.resolve(base, env.LABTRACK_DASHBOARD_DIR)
      : bundledDashboardDir,
  };
}

function readBlobStoreConfig(env: z.infer<typeof envSchema>, dataDir: string): BlobStoreConfig {
  const store = env.LABTRACK_ARTIFACT_STORE;
  if (store === undefined || store === "") return { kind: "local", dir: path.join(dataDir, "blobs") };
  let location: ReturnType<typeof parseS3Url>;
  try {
    location = parseS3Url(store, "LABTRACK_ARTIFACT_STORE");
  } catch (error) {
    throw new Error(
      `invalid environment: ${(error as Error).message} (expected s3://<bucket>/<prefix>, or unset for a local folder)`,
    );
  }
  if ((env.AWS_ACCESS_KEY_ID === undefined) !== (env.AWS_SECRET_ACCESS_KEY === undefined)) {
    throw new Error(
      "invalid environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: set both or neither (neither: the AWS SDK's own credential chain)",
    );
  }
  return {
    kind: "s3",
    location,
    settings: {
      endpoint: env.LABTRACK_S3_ENDPOINT,
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
    },
  };
}
