import { flattenConfig } from "@labtrack/core";
import {
  experimentSpec,
  type JsonValue,
  PG_INT_MAX,
  type QueuedRunEntry,
  type queueEnqueueInput,
  type queueListInput,
  type Run,
  type RunRequirements,
  runRequirements,
  type runsCloneInput,
} from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { textArrayLiteral } from "../db/pg-array.ts";
import { describeZodError } from "../trpc.ts";
import { ClaimBatcher } from "./claim-batcher.ts";
import type { ClaimHolder, SlotOffer } from "./queue-claim.ts";
import type { RunService } from "./runs.ts";
import { WorkSignal } from "./work-signal.ts";

export type { SlotOffer } from "./queue-claim.ts";

function isPlainObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A queued run's stored requirements. Runs queued before the schema bounded them may hold
 * numbers past its limits (2^40 MB of GPU memory); those are read as the limit, which no slot
 * offers either, so the run stays waiting exactly as before.
 */
export function storedRequirements(raw: unknown): RunRequirements {
  const stored = isPlainObject(raw) ? { ...raw } : {};
  const bounds = { gpus: 64, minGpuMemoryMb: PG_INT_MAX } as const;
  for (const [key, max] of Object.entries(bounds)) {
    const value = stored[key];
    if (typeof value === "number" && value > max) stored[key] = max;
  }
  return runRequirements.parse(stored);
}

/** Objects merge key by key; anything else (arrays included) replaces. */
export function mergeSpec(base: JsonValue, changes: Record<string, JsonValue>): JsonValue {
  if (!isPlainObject(base)) return changes;
  const out: Record<string, JsonValue> = { ...base };
  for (const [key, value] of Object.entries(changes)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeSpec(current, value) : value;
  }
  return out;
}

/** Hyperparameter columns of a queued run: the user's config, plus an image-classifier spec flattened. */
function configFor(spec: z.output<typeof experimentSpec>, config: Record<string, JsonValue>) {
  if (spec.kind !== "image-classifier") return flattenConfig(config);
  const { kind: _kind, ...rest } = spec;
  // The spec wins: a clone carries its source's config, whose spec keys the new spec replaces.
  return flattenConfig({ ...config, ...(rest as Record<string, JsonValue>) });
}

export interface QueueServiceOptions {
  /**
   * How long a script's run (one no runner holds) may stay `canceling` before it is ended
   * `canceled` without its script having reported back (the lease reaper does it).
   */
  scriptCancelMs: number;
}

export function createQueueService(database: Database, runService: RunService, opts: QueueServiceOptions) {
  const signal = new WorkSignal(database);
  const claims = new ClaimBatcher(database);

  async function enqueue(
    input: z.output<typeof queueEnqueueInput>,
    actor: string,
    parentRunId: string | null = null,
    sweep: { id: string; index: number } | null = null,
  ): Promise<Run> {
    const run = await runService.insertNew(
      input,
      {
        status: "queued",
        config: configFor(input.spec, input.config),
        spec: input.spec,
        queue: input.queue,
        priority: input.priority,
        requirements: input.requirements,
        maxAttempts: input.maxAttempts,
        attempt: 1,
        parentRunId,
        sweepId: sweep?.id ?? null,
        sweepIndex: sweep?.index ?? null,
      },
      { actor, reason: `queued on '${input.queue}'` },
    );
    // Waiting claims, on every API process, look once the run is committed (before, they would not see it).
    await signal.announce();
    return run;
  }

  /** Queued runs (of `projects` only, when given); positions count every project's runs. */
  async function list(
    input: z.output<typeof queueListInput>,
    projects: readonly string[] | null = null,
  ): Promise<QueuedRunEntry[]> {
    const where = [
      input.project ? sql`project = ${input.project}` : null,
      projects ? sql`project = ANY(${textArrayLiteral([...projects])}::text[])` : null,
    ].filter((c) => c !== null);
    const rows = await database.query<{
      position: number;
      id: string;
      project: string;
      name: string;
      queue: string;
      priority: number;
      attempt: number;
      requirements: unknown;
      created_at: string | Date;
    }>(sql`
      SELECT * FROM (
        SELECT row_number() OVER (PARTITION BY r.queue ORDER BY r.priority DESC, r.created_at, r.id)::int AS position,
          r.id::text AS id, p.slug AS project, r.name, r.queue, r.priority, r.attempt, r.requirements, r.created_at
        FROM runs r JOIN projects p ON p.id = r.project_id
        WHERE r.status = 'queued' ${input.queue ? sql`AND r.queue = ${input.queue}` : sql``}
      ) ranked
      ${where.length > 0 ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
      ORDER BY queue, position
      LIMIT ${input.limit}`);
    return rows.map((r) => ({
      position: Number(r.position),
      id: r.id,
      project: r.project,
      name: r.name,
      queue: r.queue,
      priority: Number(r.priority),
      attempt: Number(r.attempt),
      requirements: storedRequirements(r.requirements),
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /** A queued run is canceled at once; a running one is marked canceling until its runner stops it. */
  async function cancel(runId: string, actor: string, reason?: string): Promise<Run> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const { status } = await runService.requireProject(runId);
      try {
        if (status === "queued") {
          return await runService.transition(runId, "canceled", {
            actor,
            reason: reason ?? "canceled while queued",
            expect: ["queued"],
            changes: { finishedAt: new Date() },
          });
        }
        if (status === "running") {
          // A runner stops its run and reports; a script learns of the cancel on its next call,
          // and if it never calls again the lease reaper ends the run at this deadline.
          const held = (await runService.findRow(runId))?.runnerId ?? null;
          return await runService.transition(runId, "canceling", {
            actor,
            reason: reason ?? "cancel requested",
            expect: ["running"],
            changes: held === null ? { leaseExpiresAt: new Date(Date.now() + opts.scriptCancelMs) } : {},
          });
        }
      } catch (error) {
        // Claimed or finished between our read and our write: look again.
        if (error instanceof TRPCError && error.code === "CONFLICT") continue;
        throw error;
      }
      if (status === "canceling" || status === "canceled") return runService.get(runId);
      throw new TRPCError({
        code: "CONFLICT",
        message: `status: run ${runId} is ${status}; only queued or running runs can be canceled`,
      });
    }
    throw new TRPCError({ code: "CONFLICT", message: `status: run ${runId} keeps changing; retry` });
  }

  async function clone(input: z.output<typeof runsCloneInput>, actor: string): Promise<Run> {
    const source = await runService.get(input.runId);
    if (source.spec === null) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `runId: run ${input.runId} has no spec to clone (it was not queued)`,
      });
    }
    const merged = input.specChanges ? mergeSpec(source.spec, input.specChanges) : source.spec;
    const spec = experimentSpec.safeParse(merged);
    if (!spec.success) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `specChanges: the changed spec is invalid: ${describeZodError(spec.error)}`,
      });
    }
    const row = await runService.findRow(input.runId);
    const requirements: RunRequirements = runRequirements.parse({
      ...storedRequirements(row?.requirements),
      ...input.requirements,
    });
    return enqueue(
      {
        project: source.project,
        name: input.name ?? `${source.name}-clone`,
        group: source.group ?? undefined,
        tags: input.tags ?? source.tags,
        config: source.config,
        notes: undefined,
        spec: spec.data,
        queue: input.queue ?? source.queue ?? "default",
        priority: input.priority ?? source.priority,
        requirements,
        maxAttempts: row?.maxAttempts ?? 3,
      },
      actor,
      source.id,
    );
  }

  /** Hands the best queued run this slot can serve to this runner, with a lease; null when none. */
  async function claim(offer: SlotOffer, holder: ClaimHolder): Promise<(Run & { projectId: number }) | null> {
    const row = await claims.claim(offer, holder);
    if (!row) return null;
    const [run] = await runService.rowsToRuns([row]);
    return { ...run!, projectId: row.projectId };
  }

  return { enqueue, list, cancel, clone, claim, signal };
}
export type QueueService = ReturnType<typeof createQueueService>;
