import type { Project } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { projects } from "../db/schema.ts";

export function createProjectService(database: Database) {
  const { db } = database;

  async function list(): Promise<Project[]> {
    const rows = await database.query<{
      slug: string;
      name: string;
      created_at: string;
      run_count: number;
    }>(sql`
      SELECT p.slug, p.name, p.created_at, (SELECT count(*) FROM runs r WHERE r.project_id = p.id)::int AS run_count
      FROM projects p WHERE p.deleted_at IS NULL ORDER BY p.slug`);
    return rows.map((r) => ({
      slug: r.slug,
      name: r.name,
      createdAt: new Date(r.created_at).toISOString(),
      runCount: Number(r.run_count),
    }));
  }

  async function create(input: { slug: string; name?: string | undefined }): Promise<Project> {
    const inserted = await db
      .insert(projects)
      .values({ slug: input.slug, name: input.name ?? input.slug })
      .onConflictDoNothing()
      .returning();
    const row = inserted[0];
    if (!row)
      throw new TRPCError({ code: "CONFLICT", message: `slug: project '${input.slug}' already exists` });
    return { slug: row.slug, name: row.name, createdAt: row.createdAt.toISOString(), runCount: 0 };
  }

  /** Runs name their project by slug; an unknown slug creates it, as W&B and MLflow do. */
  async function ensureId(slug: string): Promise<number> {
    await db.insert(projects).values({ slug, name: slug }).onConflictDoNothing();
    const rows = await database.query<{ id: number }>(sql`SELECT id FROM projects WHERE slug = ${slug}`);
    const row = rows[0];
    if (!row) throw new Error(`project ${slug} vanished`);
    return Number(row.id);
  }

  async function findId(slug: string): Promise<number | null> {
    const rows = await database.query<{ id: number }>(sql`SELECT id FROM projects WHERE slug = ${slug}`);
    return rows[0] ? Number(rows[0].id) : null;
  }

  return { list, create, ensureId, findId };
}
export type ProjectService = ReturnType<typeof createProjectService>;
