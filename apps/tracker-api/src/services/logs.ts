import type { LogStream, logLine, StoredLogLine } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { numberArrayLiteral, textArrayLiteral } from "../db/pg-array.ts";
import type { LiveEventBus } from "./live-events.ts";
import type { RunService } from "./runs.ts";

type LogLineInput = z.output<typeof logLine>;
type TimedLine = { stream: string; text: string; time: number };

interface LogRow extends Record<string, unknown> {
  seq: number;
  stream: string;
  text: string;
  time_ms: number;
}

const toStored = (r: LogRow): StoredLogLine => ({
  seq: Number(r.seq),
  stream: r.stream as LogStream,
  text: r.text,
  time: Number(r.time_ms),
});

export function createLogService(database: Database, runService: RunService, bus: LiveEventBus) {
  /**
   * The batch `batchId` names is stored already (it was sent before and its answer lost): true,
   * and nothing to do. Otherwise the key is taken, in the caller's transaction, with the lines.
   */
  async function batchSeen(runId: string, batchId: string): Promise<boolean> {
    const taken = await database.query(sql`
      INSERT INTO run_log_batches (run_id, batch_id) VALUES (${runId}::uuid, ${batchId})
      ON CONFLICT DO NOTHING RETURNING 1 AS taken`);
    return taken.length === 0;
  }

  async function insertLines(runId: string, seqs: readonly number[], lines: readonly TimedLine[]) {
    return database.query<LogRow>(sql`
      INSERT INTO run_logs (run_id, seq, stream, text, time_ms)
      SELECT ${runId}::uuid, seq, stream, text, time_ms FROM unnest(
        ${numberArrayLiteral([...seqs])}::int8[],
        ${textArrayLiteral(lines.map((l) => l.stream))}::text[],
        ${textArrayLiteral(lines.map((l) => l.text))}::text[],
        ${numberArrayLiteral(lines.map((l) => l.time))}::float8[]
      ) AS t(seq, stream, text, time_ms)
      ON CONFLICT DO NOTHING
      RETURNING seq::float8 AS seq, stream, text, time_ms`);
  }

  /**
   * Client-numbered lines whose seq the server had already given to a line without one (a system
   * line, another writer's): they are not the same line, so they get the next free seqs instead
   * of being lost. A line the run already has (same stream, text and time: a resend) is skipped.
   */
  async function renumberTakenSeqs(
    runId: string,
    seqs: readonly number[],
    lines: readonly TimedLine[],
    inserted: readonly LogRow[],
  ): Promise<LogRow[]> {
    const insertedSeqs = new Set(inserted.map((r) => Number(r.seq)));
    const skipped = seqs.flatMap((seq, i) =>
      insertedSeqs.has(seq) ? [] : [{ seq, ...(lines[i] as TimedLine) }],
    );
    // A resend finds its line at its own seq (a primary-key lookup each) ...
    const atOwnSeq = await database.query<{ i: number }>(sql`
      SELECT t.i FROM unnest(
        ${numberArrayLiteral(skipped.map((l) => l.seq))}::int8[],
        ${textArrayLiteral(skipped.map((l) => l.stream))}::text[],
        ${textArrayLiteral(skipped.map((l) => l.text))}::text[]
      ) WITH ORDINALITY AS t(seq, stream, text, i)
      JOIN run_logs r ON r.run_id = ${runId}::uuid AND r.seq = t.seq AND r.stream = t.stream AND r.text = t.text`);
    const resent = new Set(atOwnSeq.map((r) => Number(r.i) - 1));
    const taken = skipped.filter((_, i) => !resent.has(i));
    if (taken.length === 0) return [];
    // ... and, rarely, at the seq an earlier call moved it to (same stream, text and time).
    const moved = await database.query<{ i: number }>(sql`
      SELECT t.i FROM unnest(
        ${textArrayLiteral(taken.map((l) => l.stream))}::text[],
        ${textArrayLiteral(taken.map((l) => l.text))}::text[],
        ${numberArrayLiteral(taken.map((l) => l.time))}::float8[]
      ) WITH ORDINALITY AS t(stream, text, time_ms, i)
      WHERE EXISTS (SELECT 1 FROM run_logs r WHERE r.run_id = ${runId}::uuid
        AND r.stream = t.stream AND r.text = t.text AND r.time_ms = t.time_ms)`);
    const movedAt = new Set(moved.map((r) => Number(r.i) - 1));
    const missing = taken.filter((_, i) => !movedAt.has(i));
    if (missing.length === 0) return [];
    const reserved = await database.query<{ end_seq: number }>(sql`
      UPDATE runs SET log_seq = log_seq + ${missing.length} WHERE id = ${runId}::uuid RETURNING log_seq::float8 AS end_seq`);
    const end = Number(reserved[0]?.end_seq);
    return insertLines(
      runId,
      missing.map((_, i) => end - missing.length + i),
      missing,
    );
  }

  /**
   * Lines either all carry their own `seq` (a runner replaying its spool: re-sent lines are
   * ignored) or none do (the server numbers them after the run's last line). A batch with a
   * `batchId` already stored is ignored whole.
   */
  async function append(
    runId: string,
    lines: readonly LogLineInput[],
    batchId?: string,
  ): Promise<{ appended: number; lastSeq: number }> {
    // One transaction: the points (or lines) and their live event commit together.
    return database.transaction(async () => {
      const project = await runService.projectOf(runId);
      if (batchId !== undefined && (await batchSeen(runId, batchId))) {
        const [run] = await database.query<{ last_seq: number }>(sql`
          SELECT log_seq::float8 - 1 AS last_seq FROM runs WHERE id = ${runId}::uuid`);
        return { appended: 0, lastSeq: Number(run?.last_seq) };
      }
      const withSeq = lines.filter((l) => l.seq !== undefined).length;
      if (withSeq !== 0 && withSeq !== lines.length) {
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: "lines: give a seq on every line or on none",
        });
      }
      const now = Date.now();
      let seqs: number[];
      if (withSeq === 0) {
        const reserved = await database.query<{ end_seq: number }>(sql`
          UPDATE runs SET log_seq = log_seq + ${lines.length} WHERE id = ${runId}::uuid RETURNING log_seq::float8 AS end_seq`);
        const end = Number(reserved[0]?.end_seq);
        seqs = lines.map((_, i) => end - lines.length + i);
      } else {
        seqs = lines.map((l) => l.seq ?? 0);
        const next = Math.max(...seqs) + 1;
        await database.query(
          sql`UPDATE runs SET log_seq = GREATEST(log_seq, ${next}::int8) WHERE id = ${runId}::uuid`,
        );
      }
      const timed = lines.map((l) => ({
        stream: l.stream,
        text: l.text.replaceAll("\u0000", ""),
        time: l.time ?? now,
      }));
      const rows = await insertLines(runId, seqs, timed);
      if (withSeq > 0 && rows.length < lines.length) {
        rows.push(...(await renumberTakenSeqs(runId, seqs, timed, rows)));
      }
      if (rows.length > 0) {
        rows.sort((a, b) => Number(a.seq) - Number(b.seq));
        const stored = rows.map(toStored);
        await bus.publish({ kind: "log", runId, project, lines: stored });
      }
      return { appended: rows.length, lastSeq: Math.max(...seqs) };
    });
  }

  async function tail(input: {
    runId: string;
    afterSeq?: number | undefined;
    limit: number;
    search?: string | undefined;
  }): Promise<{ lines: StoredLogLine[]; lastSeq: number | null }> {
    await runService.requireProject(input.runId);
    const search = input.search
      ? sql`AND text ILIKE ${`%${input.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`
      : sql``;
    const rows =
      input.afterSeq === undefined
        ? await database.query<LogRow>(sql`
            SELECT * FROM (SELECT seq::float8 AS seq, stream, text, time_ms FROM run_logs
              WHERE run_id = ${input.runId}::uuid ${search} ORDER BY seq DESC LIMIT ${input.limit}) last ORDER BY seq`)
        : await database.query<LogRow>(sql`
            SELECT seq::float8 AS seq, stream, text, time_ms FROM run_logs
            WHERE run_id = ${input.runId}::uuid AND seq > ${input.afterSeq}::int8 ${search}
            ORDER BY seq LIMIT ${input.limit}`);
    const lines = rows.map(toStored);
    return { lines, lastSeq: lines.at(-1)?.seq ?? input.afterSeq ?? null };
  }

  return { append, tail };
}
export type LogService = ReturnType<typeof createLogService>;
