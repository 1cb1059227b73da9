import type { Run } from "@labtrack/schemas";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { projects, runs } from "../db/schema.ts";
import { type RunService, runColumns } from "./runs.ts";

/** Run look-ups the MLflow adapter needs: whole projects at once, and a re-sent create's run. */
export function createRunLookupService(database: Database, runService: RunService) {
  const { db } = database;
  const { rowsToRuns } = runService;

  /**
   * A run made in the last ten minutes with exactly these fields (same start time to the
   * millisecond), i.e. the run a re-sent create request already made; null when there is none.
   */
  async function findRecentTwin(input: {
    project: string;
    name?: string | undefined;
    startedAt: Date;
    keyValueTags: Record<string, string>;
  }): Promise<Run | null> {
    const rows = await db
      .select(runColumns)
      .from(runs)
      .innerJoin(projects, eq(runs.projectId, projects.id))
      .where(
        and(
          eq(projects.slug, input.project),
          eq(runs.startedAt, input.startedAt),
          sql`${runs.keyValueTags} = ${JSON.stringify(input.keyValueTags)}::jsonb`,
          input.name === undefined ? undefined : eq(runs.name, input.name),
          sql`${runs.createdAt} > now() - interval '10 minutes'`,
        ),
      )
      .limit(1);
    const row = rows[0];
    return row ? ((await rowsToRuns([row]))[0] ?? null) : null;
  }

  /** Every run of these projects, deleted ones included (MLflow's search filters them itself). */
  async function listInProjects(projectIds: readonly number[]): Promise<Run[]> {
    if (projectIds.length === 0) return [];
    const rows = await db
      .select(runColumns)
      .from(runs)
      .innerJoin(projects, eq(runs.projectId, projects.id))
      .where(inArray(runs.projectId, [...projectIds]));
    return rowsToRuns(rows);
  }

  return { findRecentTwin, listInProjects };
}
export type RunLookupService = ReturnType<typeof createRunLookupService>;
