import type { LiveEvent } from "@labtrack/schemas";
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { textArrayLiteral } from "../db/pg-array.ts";
import type { LiveEventFilter } from "./live-event-filter.ts";

/**
 * Postgres channel on which every API process hears of each committed live event: the payload is
 * `<id> <body>` when the body is small enough to travel in it, `<id>` alone otherwise (the body is
 * then read from the table).
 */
export const LIVE_CHANNEL = "labtrack_live_events";
/** Bodies up to this many bytes go in the NOTIFY itself (Postgres caps a payload at 8,000 bytes). */
export const INLINE_BODY_BYTES = 7_000;
/**
 * Transaction advisory lock under which live event ids are taken, held until the commit. Ids are
 * then visible in the order they were taken: a reader that sees id N also sees every id below it
 * (a rolled-back transaction leaves a hole that stays one), so "everything after N" has no gap.
 * The NOTIFYs, sent at commit, arrive in the same order.
 */
const LIVE_EVENT_ORDER_LOCK = 0x4c54_4c45; // "LTLE"

/** A stored live event with the id subscribers resume from, the same on every API process. */
export interface StoredLiveEvent {
  id: number;
  event: LiveEvent;
}

interface LiveEventRow extends Record<string, unknown> {
  id: number;
  body: string;
}

/**
 * Two CTEs, `live_written` and `live_notified`, that store the events `source` selects (columns
 * `project`, `run_id`, `kind`, `body`) and NOTIFY each one; the statement must read
 * `live_notified` (a CTE nobody reads is not run). The ordering lock is taken per row before its id
 * is (a subquery with a volatile output is never flattened into the INSERT), and only when there
 * is a row: a statement with no event waits for nobody.
 */
export function liveEventCtes(source: SQL): SQL {
  return sql`live_written AS (
      INSERT INTO live_events (project, run_id, kind, body)
      SELECT ordered.project, ordered.run_id, ordered.kind, ordered.body
      FROM (SELECT s.*, pg_advisory_xact_lock(${LIVE_EVENT_ORDER_LOCK}) AS locked FROM (${source}) s) ordered
      RETURNING id, body
    ), live_notified AS (
      SELECT pg_notify(${LIVE_CHANNEL}, CASE WHEN octet_length(body) <= ${INLINE_BODY_BYTES}
        THEN id::text || ' ' || body ELSE id::text END) AS sent
      FROM live_written
    )`;
}

/**
 * Writes `event` last in the current transaction, so it commits with the change it tells of (or
 * not at all); outside a transaction it is a statement of its own. One statement either way: the
 * ordering lock, the row and its NOTIFY, so the lock is held for the commit and nothing more.
 */
export async function writeLiveEvent(database: Database, event: LiveEvent): Promise<void> {
  const write = async () => {
    await database.query(sql`
      WITH ${liveEventCtes(sql`SELECT ${event.project}::text AS project, ${event.runId}::uuid AS run_id,
        ${event.kind}::text AS kind, ${JSON.stringify(event)}::text AS body`)}
      SELECT count(*)::int AS sent FROM live_notified`);
  };
  if (!database.beforeCommit(write)) await write();
}

/** What a NOTIFY on LIVE_CHANNEL said: the event's id, and its body when it was small. */
export function parseLiveNotice(payload: string): { id: number | null; body: string | null } {
  const space = payload.indexOf(" ");
  const idText = space < 0 ? payload : payload.slice(0, space);
  const id = /^\d{1,15}$/.test(idText) ? Number(idText) : null;
  return { id, body: id !== null && space >= 0 ? payload.slice(space + 1) : null };
}

/** Events with an id above `afterId` (those `filter` lets through), oldest first, at most `limit`. */
export async function readLiveEvents(
  database: Database,
  afterId: number,
  limit: number,
  filter: LiveEventFilter = {},
): Promise<StoredLiveEvent[]> {
  const where: SQL[] = [sql`id > ${afterId}`];
  if (filter.projects) where.push(sql`project = ANY(${textArrayLiteral([...filter.projects])}::text[])`);
  // Run ids, when given, select on their own (as matchesLiveFilter does).
  if (filter.runIds && filter.runIds.size > 0) {
    where.push(sql`run_id = ANY(${textArrayLiteral([...filter.runIds])}::uuid[])`);
  } else if (filter.project !== undefined) where.push(sql`project = ${filter.project}`);
  if (filter.kinds) where.push(sql`kind = ANY(${textArrayLiteral([...filter.kinds])}::text[])`);
  const rows = await database.query<LiveEventRow>(sql`
    SELECT id, body FROM live_events WHERE ${sql.join(where, sql` AND `)} ORDER BY id LIMIT ${limit}`);
  return rows.map((r) => ({ id: Number(r.id), event: JSON.parse(r.body) as LiveEvent }));
}

/** The lowest and highest stored event ids (null when none is stored). */
export async function liveEventRange(
  database: Database,
): Promise<{ first: number | null; last: number | null }> {
  const [row] = await database.query<{ first: number | null; last: number | null }>(
    sql`SELECT min(id) AS first, max(id) AS last FROM live_events`,
  );
  return {
    first: row?.first === null || row?.first === undefined ? null : Number(row.first),
    last: row?.last === null || row?.last === undefined ? null : Number(row.last),
  };
}

/**
 * Forgets events older than `keepMs`, always from the oldest id up (so a stored id proves that
 * nothing after it was forgotten) and never the newest one. Returns how many were deleted.
 */
export async function pruneLiveEvents(database: Database, keepMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - keepMs);
  const rows = await database.query<{ n: number }>(sql`
    WITH bound AS (
      SELECT coalesce(
        -- walks the ids up from the oldest: costs what is deleted, no index on created_at
        (SELECT id FROM live_events WHERE created_at >= ${cutoff.toISOString()}::timestamptz ORDER BY id LIMIT 1),
        (SELECT max(id) FROM live_events)) AS keep_from
    ), gone AS (
      DELETE FROM live_events WHERE id < (SELECT keep_from FROM bound) RETURNING 1
    )
    SELECT count(*)::int AS n FROM gone`);
  return Number(rows[0]?.n ?? 0);
}
