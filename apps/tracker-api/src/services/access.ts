import { projectAccessAllows, projectsAllowed } from "@labtrack/core";
import type { ProjectAccess } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import type { Caller } from "../trpc.ts";
import type { RunService } from "./runs.ts";

type AccessCaller = Pick<Caller, "name" | "projects"> & Partial<Pick<Caller, "scope" | "tokenId">>;

/**
 * The one place that decides whether a caller may read or write a project's data. Every tRPC
 * procedure, HTTP route, live subscription and protocol adapter that touches a project, or a run
 * (through its project), asks here; each check throws FORBIDDEN naming the field it refused.
 */
export function createAccessService(database: Database, runs: RunService) {
  function refuse(field: string, message: string): never {
    throw new TRPCError({ code: "FORBIDDEN", message: `${field}: ${message}` });
  }

  const describeLimit = (caller: AccessCaller) =>
    (caller.projects ?? []).map((g) => `${g.project} (${g.access})`).join(", ");

  /** The caller may use `project` (a slug) as `access` asks. */
  function assertProject(
    caller: AccessCaller,
    project: string,
    access: ProjectAccess,
    field = "project",
  ): void {
    if (projectAccessAllows(caller.projects, project, access)) return;
    refuse(
      field,
      `token ${caller.name} may not ${access} project '${project}'; it is limited to ${describeLimit(caller)}`,
    );
  }

  /**
   * The run exists (NOT_FOUND otherwise) and the caller may use its project; answers its slug.
   * A runner token may write to a run a runner holds only when that runner is one of its own.
   */
  async function assertRun(
    caller: AccessCaller,
    runId: string,
    access: ProjectAccess,
    field = "runId",
  ): Promise<string> {
    const project = await runs.projectOf(runId);
    if (!projectAccessAllows(caller.projects, project, access)) {
      refuse(field, `run ${runId} is in a project token ${caller.name} may not ${access}`);
    }
    if (access === "write" && caller.scope === "runner") await assertNotHeldByOthers(caller, runId, field);
    return project;
  }

  async function assertNotHeldByOthers(caller: AccessCaller, runId: string, field: string): Promise<void> {
    const rows = await database.query<{ name: string; token_id: number | null }>(sql`
      SELECT rn.name, rn.token_id FROM runs r JOIN runners rn ON rn.id = r.runner_id
      WHERE r.id = ${runId}::uuid`);
    const holder = rows[0];
    if (holder && (holder.token_id === null || Number(holder.token_id) !== caller.tokenId)) {
      refuse(field, `run ${runId} is held by runner ${holder.name}, registered with another token`);
    }
  }

  async function assertRuns(
    caller: AccessCaller,
    runIds: readonly string[],
    access: ProjectAccess,
    field = "runIds",
  ): Promise<void> {
    if (caller.projects === null) return;
    for (const [index, runId] of runIds.entries())
      await assertRun(caller, runId, access, `${field}.${index}`);
  }

  /** By numeric project id (MLflow experiment ids): answers the slug, or NOT_FOUND naming `field`. */
  async function assertProjectId(
    caller: AccessCaller,
    projectId: number,
    access: ProjectAccess,
    field = "experiment_id",
  ): Promise<string> {
    const rows = await database.query<{ slug: string }>(
      sql`SELECT slug FROM projects WHERE id = ${projectId}`,
    );
    const slug = rows[0]?.slug;
    if (slug === undefined) {
      throw new TRPCError({ code: "NOT_FOUND", message: `${field}: no experiment with id ${projectId}` });
    }
    assertProject(caller, slug, access, field);
    return slug;
  }

  /** Whether the caller may use `project`, for filtering lists and live events without throwing. */
  const allows = (caller: AccessCaller, project: string, access: ProjectAccess) =>
    projectAccessAllows(caller.projects, project, access);

  /** The slugs the caller may use as `access` asks, or null for every project. */
  const allowedProjects = (caller: AccessCaller, access: ProjectAccess) =>
    projectsAllowed(caller.projects, access);

  /** Pushing shared data every project sees (datasets) needs a token limited to no project. */
  function assertUnlimited(caller: AccessCaller, what: string): void {
    if (caller.projects === null) return;
    refuse(
      "token",
      `${what} is shared by every project; token ${caller.name} is limited to ${describeLimit(caller)}`,
    );
  }

  return { assertProject, assertRun, assertRuns, assertProjectId, allows, allowedProjects, assertUnlimited };
}
export type AccessService = ReturnType<typeof createAccessService>;
