import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { MIGRATIONS_DIR } from "../migrations-dir.ts";
import { ambientTransactions } from "./ambient-transaction.ts";
import { acquireDataDirLock } from "./data-dir-lock.ts";
import { PgListener } from "./pg-listener.ts";
import { createPgliteCluster } from "./pglite-initdb.ts";
import { reconnectBackoffSeconds } from "./reconnect-backoff.ts";
import * as schema from "./schema.ts";

export type Schema = typeof schema;
export type Drizzle = PgDatabase<PgQueryResultHKT, Schema>;

/** The database, whichever engine is behind it: drizzle for typed queries, `query` for raw SQL. */
export interface Database {
  readonly kind: "pglite" | "postgres";
  readonly db: Drizzle;
  /**
   * Runs raw SQL and returns its rows, the same shape on both engines. `prepare`: for a statement
   * run very often, keep it prepared on each Postgres connection (parsed once, and planned once
   * when Postgres finds its generic plan as good as a fresh one); PGlite ignores it.
   */
  query<Row extends Record<string, unknown>>(statement: SQL, options?: QueryOptions): Promise<Row[]>;
  /**
   * Runs `fn` in one transaction; `db` and `query` inside it (down the async call chain) use it.
   * Nested calls are savepoints. See ambient-transaction.ts.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `effect` after the current transaction commits (at once outside one); never on rollback. */
  afterCommit(effect: () => void): void;
  /**
   * Runs `hook` last in the current transaction, just before it commits; false (and nothing
   * queued) outside a transaction.
   */
  beforeCommit(hook: () => Promise<void>): boolean;
  /**
   * Takes the session advisory lock `key` on a connection of its own and keeps it until released
   * or that connection is lost; null when another session holds it. PGlite has one session: always held.
   */
  tryHoldLock(key: number): Promise<HeldLock | null>;
  /**
   * Calls `onMessage` with the payload of every NOTIFY on `channel`, from any process on this
   * database (this one included). `onConnect` runs each time the listening connection is (re)made,
   * when notifications sent while it was down may have been missed. Resolves once listening.
   */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onConnect?: () => void,
  ): Promise<() => Promise<void>>;
  /** Applies the committed migrations; processes starting at once take turns. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface QueryOptions {
  prepare?: boolean;
}

/** A session advisory lock, held as long as its connection lives. */
export interface HeldLock {
  /** False once the connection holding it is gone (the lock is then free for another process). */
  alive(): Promise<boolean>;
  release(): Promise<void>;
}

/** How this process's connections show in pg_stat_activity (which API process holds what). */
const APPLICATION_NAME = `labtrack-api pid ${process.pid}`;

export { MIGRATIONS_DIR };

export interface CreateDatabaseOptions {
  /** A Postgres URL; without it the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** Where PGlite keeps its files; `undefined` keeps it in memory (tests). */
  pgliteDir?: string | undefined;
  maxConnections?: number;
}

export async function createDatabase(options: CreateDatabaseOptions): Promise<Database> {
  const database = options.databaseUrl
    ? createPostgresDatabase(options.databaseUrl, options.maxConnections ?? 10)
    : await createPgliteDatabase(options.pgliteDir);
  return database;
}

const dialect = new PgDialect();

/** Held while migrating, so API processes starting at once on one database take turns. */
const MIGRATION_LOCK = sql`hashtext('labtrack:migrations')`;

function createPostgresDatabase(url: string, max: number): Database {
  let lockClient: postgres.Sql | null = null;
  const lockSession = () => {
    lockClient ??= postgres(url, {
      max: 1,
      onnotice: () => {},
      backoff: reconnectBackoffSeconds,
      connection: { application_name: APPLICATION_NAME },
    });
    return lockClient;
  };
  let listener: PgListener | null = null;
  const client = postgres(url, {
    max,
    onnotice: () => {},
    backoff: reconnectBackoffSeconds,
    // JIT compilation costs tens of milliseconds per statement and never pays off for these queries.
    connection: { jit: "off", application_name: APPLICATION_NAME },
    // int8 as JS numbers: steps, sizes and counts stay far below 2^53.
    types: {
      int8: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
    },
  });
  const { db, transaction, afterCommit, beforeCommit } = ambientTransactions(
    drizzlePostgres({ client, schema }) as unknown as Drizzle,
  );
  return {
    kind: "postgres",
    db,
    transaction,
    afterCommit,
    beforeCommit,
    tryHoldLock: (key) => tryHoldLock(lockSession(), key),
    async query<Row extends Record<string, unknown>>(statement: SQL, options?: QueryOptions) {
      if (options?.prepare) {
        // drizzle's execute never prepares: the statement goes to the current connection (the
        // caller's transaction's, or the pool's) through postgres.js, which prepares it by its text.
        const { sql: text, params } = dialect.sqlToQuery(statement);
        const { client: current } = (db as unknown as { session: { client: postgres.Sql } }).session;
        const rows = await current.unsafe(text, params as postgres.ParameterOrJSON<never>[], {
          prepare: true,
        });
        return rows as unknown as Row[];
      }
      const rows = await db.execute(statement);
      return rows as unknown as Row[];
    },
    listen(channel, onMessage, onConnect) {
      listener ??= new PgListener(url, APPLICATION_NAME);
      return listener.listen(channel, onMessage, onConnect);
    },
    async migrate() {
      // One connection: the session-level advisory lock and the migration share it.
      const single = postgres(url, { max: 1, onnotice: () => {} });
      const lockDb = drizzlePostgres({ client: single });
      try {
        await lockDb.execute(sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
        await migratePostgres(lockDb, { migrationsFolder: MIGRATIONS_DIR });
        await lockDb.execute(sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
      } finally {
        await single.end({ timeout: 5 });
      }
    },
    async close() {
      await listener?.close();
      await lockClient?.end({ timeout: 5 });
      await client.end({ timeout: 5 });
    },
  };
}

/**
 * Session advisory locks on `session` (a one-connection client of their own). postgres.js
 * reconnects a dropped connection on the next query, as a new session without the lock, so whether
 * the lock is still held is asked of pg_locks rather than assumed.
 */
async function tryHoldLock(session: postgres.Sql, key: number): Promise<HeldLock | null> {
  const [row] = await session`SELECT pg_try_advisory_lock(${key}) AS held`;
  if (row?.held !== true) return null;
  // Taking it again while held would stack a second hold: from now on only ask.
  return {
    async alive() {
      try {
        const [check] = await session`
          SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
            AND classid = 0 AND objid = ${key} AND objsubid = 1 AND granted) AS held`;
        return check?.held === true;
      } catch {
        return false;
      }
    },
    async release() {
      try {
        await session`SELECT pg_advisory_unlock(${key})`;
      } catch {
        // The connection is gone, and the lock with it.
      }
    },
  };
}

/**
 * Postgres' default shared_buffers (128 MB) lives inside PGlite's WebAssembly memory and is touched
 * at start; 16 MB keeps the embedded API small (see README "Memory") at little cost to ingest.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];

function openPglite(dir: string | undefined): PGlite {
  const options = { startParams: PGLITE_START_PARAMS };
  return dir ? new PGlite(dir, options) : new PGlite(options);
}

async function createPgliteDatabase(dir: string | undefined): Promise<Database> {
  const lock = dir ? lockDataDir(dir) : null;
  try {
    if (dir && !existsSync(path.join(dir, "PG_VERSION"))) await createPgliteCluster(dir, PGLITE_START_PARAMS);
    const client = openPglite(dir);
    await client.waitReady;
    const { db, transaction, afterCommit, beforeCommit } = ambientTransactions(
      drizzlePglite({ client, schema }) as unknown as Drizzle,
    );
    return {
      kind: "pglite",
      db,
      transaction,
      afterCommit,
      beforeCommit,
      // One process, one session: its once-per-cluster work is always its own.
      tryHoldLock: async () => ({ alive: async () => true, release: async () => {} }),
      async query<Row extends Record<string, unknown>>(statement: SQL) {
        const result = (await db.execute(statement)) as unknown as { rows: Row[] };
        return result.rows;
      },
      async listen(channel, onMessage, onConnect) {
        const unlisten = await client.listen(channel, onMessage);
        onConnect?.();
        return unlisten;
      },
      // One process per data directory (the lock), so nobody to take turns with.
      migrate: () =>
        migratePglite(db as unknown as Parameters<typeof migratePglite>[0], {
          migrationsFolder: MIGRATIONS_DIR,
        }),
      async close() {
        await client.close();
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** PGlite is one process's database: a second process on the same files would corrupt them. */
function lockDataDir(dir: string) {
  mkdirSync(dir, { recursive: true });
  const lock = acquireDataDirLock(`${dir}.lock`);
  const releaseAtExit = () => lock.release();
  process.once("exit", releaseAtExit);
  return {
    release() {
      process.off("exit", releaseAtExit);
      lock.release();
    },
  };
}

/** Applies the committed drizzle-kit migrations. */
export function migrateDatabase(database: Database): Promise<void> {
  return database.migrate();
}

export function pgliteDirIn(dataDir: string): string {
  return path.join(dataDir, "pgdata");
}
