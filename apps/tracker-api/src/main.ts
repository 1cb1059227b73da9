import path from "node:path";
import pino from "pino";
import { createDatabase, migrateDatabase, pgliteDirIn } from "./db/client.ts";
import { DataDirLockedError } from "./db/data-dir-lock.ts";
import { readEnv } from "./env.ts";
import { dashboardStatic } from "./http/dashboard-static.ts";
import { predictRoute } from "./http/predict-route.ts";
import { createLabtrackServer, PortInUseError } from "./server.ts";
import { ensureAdminToken } from "./services/admin-bootstrap.ts";
import { openBlobStore } from "./services/blob-store-config.ts";
import { startClusterDuties } from "./services/cluster-duties.ts";
import { createServices } from "./services/index.ts";
import { startSweepController } from "./services/sweep-controller.ts";

/** A temporary upload this old was interrupted (no upload to the API takes a day). */
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

/** Composition root: the only place that reads the environment. */
async function main() {
  const env = readEnv();
  const log = pino({ level: env.LABTRACK_LOG_LEVEL, base: { app: "tracker-api" } });
  const database = await createDatabase({
    databaseUrl: env.DATABASE_URL,
    pgliteDir: pgliteDirIn(env.dataDir),
  });
  await migrateDatabase(database);
  const blobs = openBlobStore(env.blobStore);
  await blobs.check();
  const swept = await blobs.store.sweepTemporary(new Date(Date.now() - STALE_UPLOAD_MS));
  if (swept > 0) log.info({ swept }, "removed temporary blobs left by interrupted uploads");
  const services = createServices({
    database,
    dataDir: env.dataDir,
    blobs: blobs.store,
    envAdminToken: env.LABTRACK_ADMIN_TOKEN,
    queueSettings: {
      leaseMs: env.LABTRACK_LEASE_MS,
      heartbeatMs: env.LABTRACK_HEARTBEAT_MS,
      reaperIntervalMs: env.LABTRACK_REAPER_INTERVAL_MS,
    },
  });
  const reaper = startClusterDuties({
    database,
    runs: services.runs,
    signal: services.queue.signal,
    bus: services.bus,
    log,
    intervalMs: env.LABTRACK_REAPER_INTERVAL_MS,
    startupGraceMs: env.LABTRACK_LEASE_MS,
  });
  const sweepLoop = startSweepController({
    controller: services.sweepController,
    log,
    intervalMs: env.LABTRACK_SWEEP_INTERVAL_MS,
  });
  const app = createLabtrackServer({
    services,
    log,
    extraRoutes: [
      predictRoute({ cacheDir: path.join(env.dataDir, "model-cache") }),
      dashboardStatic(env.dashboardDir),
    ],
  });
  const { url } = await app.listen(env.LABTRACK_PORT, env.LABTRACK_HOST);
  const publicUrl = env.LABTRACK_PUBLIC_URL ?? url;
  const admin = await ensureAdminToken({
    tokens: services.tokens,
    dataDir: env.dataDir,
    envAdminToken: env.LABTRACK_ADMIN_TOKEN,
  });
  log.info(
    { url, database: database.kind, dataDir: env.dataDir, blobs: blobs.store.location },
    "labtrack tracker-api listening",
  );
  const lines = [
    `Labtrack is running at ${publicUrl} (database: ${database.kind}, data: ${env.dataDir}, blobs: ${blobs.store.location})`,
  ];
  if (admin.token) {
    lines.push(`Sign in: ${publicUrl}/login#token=${admin.token}`);
    if (admin.created) lines.push(`Admin token written to ${admin.file}`);
  } else {
    lines.push(`Admin token: see ${admin.file} or set LABTRACK_ADMIN_TOKEN`);
  }
  process.stdout.write(`\n${lines.join("\n")}\n\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    await reaper.stop();
    await sweepLoop.stop();
    await app.close();
    await database.close();
    blobs.close();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  // A refused data directory or a taken port is the user's situation, not a bug: its message says it all.
  const detail =
    error instanceof DataDirLockedError || error instanceof PortInUseError
      ? error.message
      : error instanceof Error
        ? error.stack
        : String(error);
  process.stderr.write(`tracker-api failed to start: ${detail}\n`);
  process.exit(1);
});
