import type { JsonValue } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { textArrayLiteral } from "../db/pg-array.ts";
import { runs } from "../db/schema.ts";
import type { RunService } from "./runs.ts";

/** A config value as the text an MLflow param would be: strings as they are, the rest as JSON. */
export function configValueText(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export interface ParamConflict {
  key: string;
  stored: string;
  given: string;
}

export class ParamConflictError extends Error {
  readonly conflicts: ParamConflict[];

  constructor(conflicts: ParamConflict[]) {
    super(conflicts.map((c) => `${c.key}: stored '${c.stored}', given '${c.given}'`).join("; "));
    this.name = "ParamConflictError";
    this.conflicts = conflicts;
  }
}

export interface RunFieldChanges {
  /** Added to the run's config; a key already there must hold the same value (as text). */
  params?: Record<string, string>;
  setKeyValueTags?: Record<string, string>;
  deleteKeyValueTags?: string[];
  name?: string;
  notes?: string | null;
  parentRunId?: string | null;
}

/**
 * Writes to a run that come from outside the Labtrack client (MLflow params, tags, life cycle) as
 * single statements, so each call commits all of its changes or none.
 */
export function createRunFieldService(database: Database, runService: RunService) {
  const { db } = database;

  function conflictsOf(config: Record<string, JsonValue>, params: Record<string, string>): ParamConflict[] {
    const conflicts: ParamConflict[] = [];
    for (const [key, given] of Object.entries(params)) {
      // Own keys only: a param named `constructor` or `__proto__` is not Object.prototype's.
      const stored = Object.hasOwn(config, key) ? config[key] : undefined;
      if (stored === undefined || stored === null) continue;
      const text = configValueText(stored);
      if (text !== given) conflicts.push({ key, stored: text, given });
    }
    return conflicts;
  }

  /**
   * Applies params, key/value tags and the fields MLflow system tags stand for in one UPDATE.
   * Throws ParamConflictError (and changes nothing) when a param would change a stored value.
   */
  async function apply(runId: string, changes: RunFieldChanges): Promise<void> {
    const row = await runService.findRow(runId);
    if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `runId: no run with id ${runId}` });
    const params = changes.params ?? {};
    const conflicts = conflictsOf(row.config as Record<string, JsonValue>, params);
    if (conflicts.length > 0) throw new ParamConflictError(conflicts);
    const paramsJson = JSON.stringify(params);
    let tags = sql`(${runs.keyValueTags} || ${JSON.stringify(changes.setKeyValueTags ?? {})}::jsonb)`;
    if (changes.deleteKeyValueTags && changes.deleteKeyValueTags.length > 0) {
      tags = sql`${tags} - ${textArrayLiteral(changes.deleteKeyValueTags)}::text[]`;
    }
    const updated = await db
      .update(runs)
      .set({
        config: sql`${runs.config} || ${paramsJson}::jsonb`,
        keyValueTags: tags,
        updatedAt: new Date(),
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.notes !== undefined && { notes: changes.notes }),
        ...(changes.parentRunId !== undefined && { parentRunId: changes.parentRunId }),
      })
      .where(
        and(
          eq(runs.id, runId),
          // A concurrent call may have stored a different value since the check above.
          // (Values logged as MLflow params are strings; other config values come with the run.)
          sql`NOT EXISTS (SELECT 1 FROM jsonb_each_text(${paramsJson}::jsonb) p
            WHERE jsonb_typeof(${runs.config} -> p.key) = 'string' AND ${runs.config} ->> p.key <> p.value)`,
        ),
      )
      .returning({ id: runs.id });
    if (updated.length === 0) {
      const again = await runService.findRow(runId);
      throw new ParamConflictError(conflictsOf((again?.config ?? {}) as Record<string, JsonValue>, params));
    }
  }

  /** MLflow's delete / restore: the run stays, marked deleted (hidden from runs.list) or not. */
  async function setDeleted(runId: string, deleted: boolean): Promise<void> {
    await runService.requireProject(runId);
    await db
      .update(runs)
      .set({ deletedAt: deleted ? new Date() : null, updatedAt: new Date() })
      .where(eq(runs.id, runId));
  }

  return { apply, setDeleted };
}
export type RunFieldService = ReturnType<typeof createRunFieldService>;
