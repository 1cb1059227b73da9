import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startS3TestServer } from "@labtrack/s3/test-support";
import pino, { type Logger } from "pino";
import postgres from "postgres";
import { createDatabase, type Database, migrateDatabase } from "../db/client.ts";
import type { AuthThrottleOptions } from "../http/auth-throttle.ts";
import { createLabtrackServer, type ExtraRoute } from "../server.ts";
import { openBlobStore } from "../services/blob-store-config.ts";
import { type ClusterDuties, startClusterDuties } from "../services/cluster-duties.ts";
import { createServices, type Services } from "../services/index.ts";
import type { QueueSettings } from "../services/runners.ts";
import { startSweepController } from "../services/sweep-controller.ts";

export type DbKind = "pglite" | "postgres";

/** Integration suites run on PGlite always, and on Postgres when TEST_DATABASE_URL names a server. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL;
export const DB_KINDS: DbKind[] = testDatabaseUrl ? ["pglite", "postgres"] : ["pglite"];

/** Where a test server keeps artifact and dataset blobs: a folder, or s3rver on loopback. */
export type BlobStoreKind = "local" | "s3";
export const BLOB_STORE_KINDS: BlobStoreKind[] = ["local", "s3"];
/** Storage suites: every database with local blobs, and S3 blobs on PGlite (the store does not touch the database). */
export const STORAGE_CASES: [DbKind, BlobStoreKind][] = [
  ...DB_KINDS.map((kind): [DbKind, BlobStoreKind] => [kind, "local"]),
  ["pglite", "s3"],
];

/** A fresh database on the test server, dropped again by the returned function. */
export async function createScratchPostgres(
  baseUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `labtrack_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = postgres(baseUrl, { max: 1, onnotice: () => {} });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}

export interface TestServer {
  kind: DbKind;
  url: string;
  adminToken: string;
  services: Services;
  database: Database;
  dataDir: string;
  /** The Postgres database it uses (undefined on PGlite), for a second server on the same one. */
  databaseUrl: string | undefined;
  /** The once-per-cluster work (lease reaper, pruning), done here while this server holds its lock. */
  duties: ClusterDuties;
  close(): Promise<void>;
}

/** A real tracker-api on a free port, over a fresh database and data directory. */
export async function startTestServer(
  kind: DbKind,
  opts: {
    extraRoutes?: ExtraRoute[];
    port?: number;
    dataDir?: string;
    databaseUrl?: string;
    /** Short leases and heartbeats keep queue tests fast. */
    queueSettings?: Partial<QueueSettings>;
    blobStore?: BlobStoreKind;
    authThrottle?: AuthThrottleOptions;
    /** Where the server logs (silent unless LABTRACK_TEST_LOG_LEVEL is set). */
    log?: Logger;
    /** How often the sweep controller runs; short by default in tests. */
    sweepIntervalMs?: number;
  } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), "labtrack-test-")));
  let scratch: { url: string; drop: () => Promise<void> } | null = null;
  let databaseUrl = opts.databaseUrl;
  if (kind === "postgres" && !databaseUrl) {
    if (!testDatabaseUrl) throw new Error("TEST_DATABASE_URL is not set");
    scratch = await createScratchPostgres(testDatabaseUrl);
    databaseUrl = scratch.url;
  }
  const database = await createDatabase({
    databaseUrl,
    pgliteDir: kind === "pglite" && opts.dataDir ? path.join(dataDir, "pgdata") : undefined,
  });
  await migrateDatabase(database);
  const adminToken = `test-admin-${randomBytes(12).toString("hex")}`;
  const s3 = opts.blobStore === "s3" ? await startS3TestServer() : null;
  const blobs = openBlobStore(
    s3
      ? { kind: "s3", location: { bucket: s3.bucket, prefix: "labtrack/" }, settings: s3.settings }
      : { kind: "local", dir: path.join(dataDir, "blobs") },
  );
  const services = createServices({
    database,
    dataDir,
    blobs: blobs.store,
    envAdminToken: adminToken,
    queueSettings: opts.queueSettings,
  });
  const log = opts.log ?? pino({ level: process.env.LABTRACK_TEST_LOG_LEVEL ?? "silent" });
  const reaper = startClusterDuties({
    database,
    runs: services.runs,
    signal: services.queue.signal,
    bus: services.bus,
    log,
    intervalMs: services.queueSettings.reaperIntervalMs,
    startupGraceMs: services.queueSettings.leaseMs,
  });
  const sweepLoop = startSweepController({
    controller: services.sweepController,
    log,
    intervalMs: opts.sweepIntervalMs ?? 100,
  });
  const app = createLabtrackServer({
    services,
    log,
    extraRoutes: opts.extraRoutes,
    authThrottle: opts.authThrottle,
  });
  const { url } = await app.listen(opts.port ?? 0, "127.0.0.1");
  return {
    kind,
    url,
    adminToken,
    services,
    database,
    dataDir,
    databaseUrl,
    duties: reaper,
    async close() {
      await reaper.stop();
      await sweepLoop.stop();
      await app.close();
      await database.close();
      blobs.close();
      await s3?.close();
      await scratch?.drop();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls a procedure the way curl or Python would: plain JSON over HTTP. */
export async function callProcedure(
  server: { url: string },
  token: string | null,
  procedure: string,
  input: unknown,
  method: "query" | "mutation" = "mutation",
): Promise<{
  status: number;
  body: {
    result?: { data: unknown };
    error?: {
      message: string;
      code: number;
      data: { code: string; fields?: { path: string[]; message: string }[] | null };
    };
  };
}> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response =
    method === "query"
      ? await fetch(`${server.url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers,
        })
      : await fetch(`${server.url}/trpc/${procedure}`, {
          method: "POST",
          headers,
          body: JSON.stringify(input),
        });
  return { status: response.status, body: (await response.json()) as never };
}

/** The procedure's result, or a thrown error carrying the server's answer (so a failing test shows it). */
export function dataOf<T>(response: { status: number; body: { result?: { data: unknown } } }): T {
  if (!response.body.result) throw new Error(`HTTP ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.result.data as T;
}

export { type AnswerDroppingProxy, startAnswerDroppingProxy } from "./answer-dropping-proxy.ts";
export { createOwnPostgresCluster, type OwnPostgresCluster } from "./own-postgres-cluster.ts";
