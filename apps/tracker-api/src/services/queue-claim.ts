import { assertTransition } from "@labtrack/core";
import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { numberArrayLiteral, textArrayLiteral } from "../db/pg-array.ts";
import { runs } from "../db/schema.ts";
import { liveEventCtes } from "./live-event-log.ts";
import type { KnownRunParts } from "./runs.ts";

/** What one free runner slot offers; the claim picks the best queued run it satisfies. */
export interface SlotOffer {
  queues: readonly string[];
  gpus: number;
  /** Memory of the smallest GPU in the slot (0 for a CPU slot). */
  minGpuMemoryMb: number;
  backends: readonly string[];
  labels: readonly string[];
  /** The projects the runner's token may write; null: every project. */
  projects: readonly string[] | null;
}

/** Who takes the run: the runner registration, its slot, and how long the lease lasts. */
export interface ClaimHolder {
  runnerId: string;
  runnerName: string;
  slot: number;
  leaseMs: number;
}

/**
 * The queued runs (`count`, best first) a slot should take: in one of its queues, requirements met (GPU count, GPU
 * memory, backend, labels), highest priority first, then oldest. Rows other transactions are
 * claiming are skipped, not waited for.
 *
 * It walks the queued runs in that order through a partial index (`runs_queued_pick_idx` for one
 * queue, the usual runner; `runs_queued_order_idx` for several) and stops at the first the slot
 * can serve. The slot's checks are one CASE so that the planner sees one condition it cannot
 * judge (it guesses half the rows pass): as five separate guesses multiplied it expected one run
 * in ten thousand to pass, and chose to read and sort every queued run instead (100 ms a claim
 * with 10,000 queued).
 */
export function claimPickSql(offer: SlotOffer, count = 1): SQL {
  const [only, ...more] = offer.queues;
  const inQueues =
    only !== undefined && more.length === 0
      ? sql`q.queue = ${only}`
      : sql`q.queue = ANY(${textArrayLiteral([...offer.queues])}::text[])`;
  const ofProjects =
    offer.projects === null
      ? sql``
      : sql`AND q.project_id = ANY(ARRAY(SELECT id FROM projects WHERE slug = ANY(${textArrayLiteral([...offer.projects])}::text[])))`;
  return sql`SELECT q.id, q.priority, q.created_at FROM runs q
    WHERE q.status = 'queued'
      AND ${inQueues}
      AND CASE WHEN COALESCE((q.requirements->>'gpus')::float8, 0) <= ${offer.gpus}::float8
        AND COALESCE((q.requirements->>'minGpuMemoryMb')::float8, 0) <= ${offer.minGpuMemoryMb}::float8
        AND (q.requirements->>'backend' IS NULL
          OR q.requirements->>'backend' = ANY(${textArrayLiteral([...offer.backends])}::text[]))
        AND COALESCE(q.requirements->'labels', '[]'::jsonb) <@ ${JSON.stringify(offer.labels)}::jsonb
        ${ofProjects}
        THEN true ELSE false END
    ORDER BY q.priority DESC, q.created_at, q.id
    LIMIT ${count}
    FOR UPDATE SKIP LOCKED`;
}

export type ClaimedRow = typeof runs.$inferSelect & { project: string } & Required<KnownRunParts>;

const columns = Object.entries(getTableColumns(runs));

/**
 * Claims up to one run for each of `holders` (slots making the same offer) in one statement: picks
 * the best runs the offer serves, hands them out in the holders' order (the first holder gets the
 * best run), marks them running with a lease, records each status change in the run's timeline and
 * stores and NOTIFYs its live event. Returns, per holder, its run or null when there were fewer.
 * A holder whose runner registration is gone or stopped gets null (the statement checks it, so the
 * caller need not read the runner first). Each row says whether the run has metric summaries and
 * its sweep's name, so that answering it needs no further read in the usual case.
 */
export async function claimQueuedRuns(
  database: Database,
  offer: SlotOffer,
  holders: readonly ClaimHolder[],
): Promise<(ClaimedRow | null)[]> {
  assertTransition("queued", "running");
  const now = new Date().toISOString();
  const leases = holders.map((h) => new Date(Date.parse(now) + h.leaseMs).toISOString());
  const selected = sql.join(
    columns.map(([name, column]) => sql`c.${sql.identifier(column.name)} AS ${sql.identifier(name)}`),
    sql`, `,
  );
  const statement = sql`
    WITH holders AS (
      SELECT h.runner_id, h.runner, h.slot, h.lease, h.n AS holder, row_number() OVER (ORDER BY h.n) AS n
      FROM unnest(${textArrayLiteral(holders.map((h) => h.runnerId))}::uuid[],
        ${textArrayLiteral(holders.map((h) => h.runnerName))}::text[],
        ${numberArrayLiteral(holders.map((h) => h.slot))}::int4[],
        ${textArrayLiteral(leases)}::timestamptz[]) WITH ORDINALITY AS h(runner_id, runner, slot, lease, n)
      JOIN runners registered ON registered.id = h.runner_id AND registered.stopped_at IS NULL
    ), picked AS (
      SELECT id, row_number() OVER (ORDER BY priority DESC, created_at, id) AS n
      FROM (${claimPickSql(offer, holders.length)}) best
    ), claimed AS (
      UPDATE runs r SET status = 'running', runner = h.runner, runner_id = h.runner_id, runner_slot = h.slot,
        lease_expires_at = h.lease, heartbeat_at = ${now}::timestamptz, started_at = ${now}::timestamptz,
        finished_at = NULL, error = NULL, updated_at = ${now}::timestamptz
      FROM picked JOIN holders h ON h.n = picked.n
      WHERE r.id = picked.id AND r.status = 'queued'
      RETURNING r.*, h.holder, 'claimed by ' || h.runner || ' slot ' || h.slot AS reason
    ), claimed_run AS (
      SELECT claimed.*, p.slug AS project_slug FROM claimed JOIN projects p ON p.id = claimed.project_id
    ), recorded AS (
      INSERT INTO run_events (run_id, from_status, to_status, actor, reason)
      SELECT id, 'queued', 'running', 'runner:' || runner, reason FROM claimed ORDER BY holder
    ), ${liveEventCtes(sql`SELECT project_slug AS project, id AS run_id, 'status'::text AS kind,
        jsonb_build_object('kind', 'status', 'runId', id, 'project', project_slug, 'status', 'running',
          'reason', reason)::text AS body
        FROM claimed_run ORDER BY holder`)}
    SELECT ${selected}, c.project_slug AS project, c.holder, (SELECT count(*) FROM live_notified) AS notified,
      EXISTS (SELECT 1 FROM metric_summaries ms WHERE ms.run_id = c.id) AS has_summaries,
      (SELECT s.name FROM sweeps s WHERE s.id = c.sweep_id) AS sweep_name
    FROM claimed_run c`;
  // The most frequent statement of a busy queue: parsing and planning it cost more than running it.
  const rows = await database.query<Record<string, unknown>>(statement, { prepare: true });
  const byHolder: (ClaimedRow | null)[] = holders.map(() => null);
  for (const row of rows) {
    const claimed: Record<string, unknown> = {
      project: row.project,
      hasSummaries: row.has_summaries === true,
      sweepName: row.sweep_name ?? null,
    };
    for (const [name, column] of columns) {
      const value = row[name];
      claimed[name] =
        value === null || value === undefined
          ? null
          : (column.mapFromDriverValue as (v: unknown) => unknown)(value);
    }
    byHolder[Number(row.holder) - 1] = claimed as ClaimedRow;
  }
  return byHolder;
}
