import { TRPCError } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { projects } from "../db/schema.ts";

/** A project with everything an MLflow experiment shows: name, key/value tags, life cycle, times. */
export interface ProjectRecord {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  tags: Record<string, string>;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const NOTE_TAG = "mlflow.note.content";

/** The project that MLflow's experiment "0" (the default experiment) stands for. */
export const DEFAULT_PROJECT_SLUG = "default";

const toRecord = (r: typeof projects.$inferSelect): ProjectRecord => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  description: r.description,
  tags: r.tags as Record<string, string>,
  deletedAt: r.deletedAt,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/** A slug from a free-text name: lower-case letters, digits, '-' and '_' (at most 56 characters). */
export function slugFromName(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+|-+$/g, "")
    .slice(0, 56);
  return slug === "" ? "experiment" : slug;
}

/**
 * Projects as named, tagged, deletable records (MLflow experiments). Names are unique among
 * projects; a project's slug is made from its name once and never changes.
 */
export function createProjectRecordService(database: Database) {
  const { db } = database;

  async function byId(id: number): Promise<ProjectRecord | null> {
    const rows = await db.select().from(projects).where(eq(projects.id, id));
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async function bySlug(slug: string): Promise<ProjectRecord | null> {
    const rows = await db.select().from(projects).where(eq(projects.slug, slug));
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The active project of that name if there is one, else a deleted one (as MLflow's get-by-name). */
  async function byName(name: string): Promise<ProjectRecord | null> {
    const rows = await db
      .select()
      .from(projects)
      .where(eq(projects.name, name))
      .orderBy(sql`${projects.deletedAt} IS NOT NULL`, projects.id)
      .limit(1);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async function defaultProject(): Promise<ProjectRecord> {
    await db.insert(projects).values({ slug: DEFAULT_PROJECT_SLUG, name: "Default" }).onConflictDoNothing();
    const rows = await db.select().from(projects).where(eq(projects.slug, DEFAULT_PROJECT_SLUG));
    return toRecord(rows[0]!);
  }

  async function all(): Promise<ProjectRecord[]> {
    const rows = await db.select().from(projects).orderBy(projects.id);
    return rows.map(toRecord);
  }

  /**
   * Creates a project named `name` (slug made from it, with `-2`, `-3`, … when taken), or throws
   * CONFLICT when a project of that name exists. Two concurrent creates of one name race on the
   * slug's unique index, so only one wins.
   */
  async function createNamed(input: { name: string; tags: Record<string, string> }): Promise<ProjectRecord> {
    if (await byName(input.name)) {
      throw new TRPCError({ code: "CONFLICT", message: `name: a project named '${input.name}' exists` });
    }
    const base = slugFromName(input.name);
    for (let n = 1; n < 1000; n += 1) {
      const slug = n === 1 ? base : `${base}-${n}`;
      const inserted = await db
        .insert(projects)
        .values({ slug, name: input.name, tags: input.tags, description: input.tags[NOTE_TAG] ?? null })
        .onConflictDoNothing()
        .returning();
      if (inserted[0]) return toRecord(inserted[0]);
      const holder = await db.select().from(projects).where(eq(projects.slug, slug));
      if (holder[0]?.name === input.name) {
        throw new TRPCError({ code: "CONFLICT", message: `name: a project named '${input.name}' exists` });
      }
    }
    throw new TRPCError({ code: "CONFLICT", message: `name: no free slug for '${input.name}'` });
  }

  async function require(id: number): Promise<ProjectRecord> {
    const found = await byId(id);
    if (!found) throw new TRPCError({ code: "NOT_FOUND", message: `id: no project with id ${id}` });
    return found;
  }

  async function rename(id: number, name: string): Promise<ProjectRecord> {
    const holder = await byName(name);
    if (holder && holder.id !== id) {
      throw new TRPCError({ code: "CONFLICT", message: `name: a project named '${name}' exists` });
    }
    await db.update(projects).set({ name, updatedAt: new Date() }).where(eq(projects.id, id));
    return require(id);
  }

  /**
   * Merges `tags` into the project's key/value tags in one statement; `mlflow.note.content` (an
   * MLflow experiment's description) is also the project's description.
   */
  async function setTags(id: number, tags: Record<string, string>): Promise<ProjectRecord> {
    const note = tags[NOTE_TAG];
    await db
      .update(projects)
      .set({
        tags: sql`${projects.tags} || ${JSON.stringify(tags)}::jsonb`,
        updatedAt: new Date(),
        ...(note !== undefined && { description: note }),
      })
      .where(eq(projects.id, id));
    return require(id);
  }

  async function deleteTag(id: number, key: string): Promise<ProjectRecord> {
    await db
      .update(projects)
      .set({
        tags: sql`${projects.tags} - ${key}::text`,
        updatedAt: new Date(),
        ...(key === NOTE_TAG && { description: null }),
      })
      .where(eq(projects.id, id));
    return require(id);
  }

  /** Marks the project deleted (or restores it); its runs are kept as they are. */
  async function setDeleted(id: number, deleted: boolean): Promise<ProjectRecord> {
    const now = new Date();
    await db
      .update(projects)
      .set({ deletedAt: deleted ? now : null, updatedAt: now })
      .where(eq(projects.id, id));
    return require(id);
  }

  return {
    byId,
    bySlug,
    byName,
    defaultProject,
    all,
    createNamed,
    require,
    rename,
    setTags,
    deleteTag,
    setDeleted,
  };
}
export type ProjectRecordService = ReturnType<typeof createProjectRecordService>;
