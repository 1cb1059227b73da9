import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { dashboardDir } from "../test/e2e/tracker-server.ts";

const PREFIX = "labtrack_dashboard_bench_";
const trackerApiDir = path.resolve(dashboardDir, "../tracker-api");

/**
 * What the seeded rows depend on: the seed script and its sizes, the schema (migrations) and the
 * rollups' statement (series-query.ts). A change to one of them seeds a database of its own;
 * otherwise the last one seeded is used again. The ingest service (metrics.ts) changes often
 * without changing what it stores, so it is left out: after a change to what it stores,
 * `BENCH_RESEED=1` seeds again.
 */
export function seedVersion(sizes: Record<string, number>): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(sizes));
  const migrations = path.join(trackerApiDir, "migrations");
  const files = [
    path.join(dashboardDir, "bench/seed-bench-data.ts"),
    path.join(trackerApiDir, "src/services/series-query.ts"),
    ...readdirSync(migrations)
      .filter((f) => f.endsWith(".sql"))
      .sort()
      .map((f) => path.join(migrations, f)),
  ];
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest("hex").slice(0, 12);
}

const withDatabase = (baseUrl: string, name: string) => {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/**
 * The bench database of `version`, seeded by `seed` when there is none yet. Seeding goes into a
 * scratch database that gets the version's name only once `seed` finished, so a run stopped
 * half-way leaves nothing that a later run would take for seeded data (its scratch database is
 * dropped). Databases of other versions are dropped.
 */
export async function benchDatabase(
  baseUrl: string,
  version: string,
  seed: (url: string) => Promise<void>,
  opts: { reseed?: boolean; log?: (line: string) => void } = {},
): Promise<{ url: string; reused: boolean }> {
  const name = `${PREFIX}v${version}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  try {
    const existing = (
      await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE ${`${PREFIX}%`}`
    ).map((r) => r.datname);
    for (const stale of existing.filter((d) => d !== name || opts.reseed)) {
      // A scratch database of a run still seeding is left alone: it is named _seeding_.
      if (stale.includes("_seeding_")) continue;
      opts.log?.(`dropping the bench database ${stale}`);
      await admin.unsafe(`DROP DATABASE IF EXISTS ${stale} WITH (FORCE)`);
    }
    if (existing.includes(name) && !opts.reseed) return { url: withDatabase(baseUrl, name), reused: true };
    const scratch = `${PREFIX}seeding_${randomBytes(4).toString("hex")}`;
    await admin.unsafe(`CREATE DATABASE ${scratch}`);
    try {
      await seed(withDatabase(baseUrl, scratch));
      await admin.unsafe(`ALTER DATABASE ${scratch} RENAME TO ${name}`);
    } catch (error) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
      throw error;
    }
    return { url: withDatabase(baseUrl, name), reused: false };
  } finally {
    await admin.end();
  }
}

/** The ids of a project's runs, oldest first (the order the seed created them in). */
export async function runIdsOf(url: string, project: string): Promise<string[]> {
  const db = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await db<{ id: string }[]>`
      SELECT r.id FROM runs r JOIN projects p ON p.id = r.project_id
      WHERE p.slug = ${project} ORDER BY r.created_at, r.name`;
    return rows.map((r) => r.id);
  } finally {
    await db.end();
  }
}

/** A long-lived database has been vacuumed and analysed since its last big load; so is this one. */
export async function settle(url: string): Promise<void> {
  const db = postgres(url, { max: 1, onnotice: () => {} });
  await db.unsafe("VACUUM ANALYZE");
  await db.end();
}
