import type { LogStream, logLine, StoredLogLine } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { numberArrayLiteral, textArrayLiteral } from "../db/pg-array.ts";
import type { LiveEventBus } from "./live-events.ts";
import type { RunService } from "./runs.ts";

type LogLineInput = z.output<typeof logLine>;

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
      const rows = await database.query<LogRow>(sql`
        INSERT INTO run_logs (run_id, seq, stream, text, time_ms)
        SELECT ${runId}::uuid, seq, stream, text, time_ms FROM unnest(
          ${numberArrayLiteral(seqs)}::int8[],
          ${textArrayLiteral(lines.map((l) => l.stream))}::text[],
          ${textArrayLiteral(lines.map((l) => l.text.replaceAll("\u0000", "")))}::text[],
          ${numberArrayLiteral(lines.map((l) => l.time ?? now))}::float8[]
        ) AS t(seq, stream, text, time_ms)
        ON CONFLICT DO NOTHING
        RETURNING seq::float8 AS seq, stream, text, time_ms`);
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
