import type { Readable } from "node:stream";
import type { Artifact, ArtifactKind, TokenScope } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { and, eq, inArray, like, or, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { textArrayLiteral } from "../db/pg-array.ts";
import { artifacts } from "../db/schema.ts";
import type { BlobStore } from "./blob-store.ts";
import type { RunService } from "./runs.ts";

/**
 * Checks an artifact's logical path: relative, `/`-separated, no `.`/`..` segments, no NUL or
 * backslash, so it can never name a place outside the run.
 */
export function validateArtifactPath(raw: string): string {
  if (raw.length === 0) throw new Error("path: must not be empty");
  if (raw.length > 1024) throw new Error("path: longer than 1024 characters");
  if (raw.includes("\u0000")) throw new Error("path: must not contain NUL");
  if (raw.includes("\\")) throw new Error("path: use '/' as the separator, not '\\'");
  if (raw.startsWith("/")) throw new Error("path: must be relative, not absolute");
  const segments = raw.split("/");
  for (const segment of segments) {
    if (segment === "" || segment === "." || segment === "..") {
      throw new Error(`path: segment '${segment}' is not allowed (no empty, '.' or '..' segments)`);
    }
  }
  return raw;
}

const toArtifact = (r: typeof artifacts.$inferSelect): Artifact => ({
  runId: r.runId,
  path: r.path,
  kind: r.kind as ArtifactKind,
  size: r.size,
  sha256: r.sha256,
  contentType: r.contentType,
  metadata: r.metadata as Record<string, unknown>,
  createdAt: r.createdAt.toISOString(),
});

export function createArtifactService(database: Database, runService: RunService, blobs: BlobStore) {
  const { db } = database;

  async function upload(input: {
    runId: string;
    path: string;
    kind: ArtifactKind;
    contentType: string | null;
    metadata?: Record<string, unknown>;
    body: Readable;
    /** The client's sha256 of the body: a body that hashes differently is refused and not kept. */
    expectedSha256?: string | undefined;
    /** The token writing it: /predict loads only models written by the run's runner or an admin. */
    uploader: { tokenId: number | null; scope: TokenScope };
  }): Promise<Artifact> {
    await runService.requireProject(input.runId);
    const { sha256, size } = await blobs.put(
      input.body,
      input.expectedSha256 === undefined ? {} : { expectedSha256: input.expectedSha256 },
    );
    const values = {
      runId: input.runId,
      path: input.path,
      kind: input.kind,
      size,
      sha256,
      contentType: input.contentType,
      metadata: input.metadata ?? {},
      tokenId: input.uploader.tokenId,
      tokenScope: input.uploader.scope,
      createdAt: new Date(),
    };
    const [row] = await db
      .insert(artifacts)
      .values(values)
      .onConflictDoUpdate({ target: [artifacts.runId, artifacts.path], set: values })
      .returning();
    return toArtifact(row!);
  }

  async function find(runId: string, path: string): Promise<Artifact | null> {
    const rows = await db
      .select()
      .from(artifacts)
      .where(and(eq(artifacts.runId, runId), eq(artifacts.path, path)));
    return rows[0] ? toArtifact(rows[0]) : null;
  }

  async function list(runId: string, prefix?: string): Promise<Artifact[]> {
    await runService.requireProject(runId);
    const escaped = prefix?.replace(/[\\%_]/g, (c) => `\\${c}`);
    const rows = await db
      .select()
      .from(artifacts)
      .where(and(eq(artifacts.runId, runId), escaped ? like(artifacts.path, `${escaped}%`) : undefined))
      .orderBy(artifacts.path);
    return rows.map(toArtifact);
  }

  async function require(runId: string, path: string): Promise<Artifact> {
    const found = await find(runId, path);
    if (!found)
      throw new TRPCError({ code: "NOT_FOUND", message: `path: run ${runId} has no artifact '${path}'` });
    return found;
  }

  /**
   * Which of the run's artifacts at `paths` were written by neither an admin nor the token of the
   * runner that runs it: files anyone else could have put there (or stored before uploaders were).
   */
  async function notWrittenByRun(runId: string, paths: readonly string[]): Promise<string[]> {
    const rows = await database.query<{ path: string }>(sql`
      SELECT a.path FROM artifacts a
      JOIN runs r ON r.id = a.run_id
      LEFT JOIN runners rn ON rn.name = r.runner
      WHERE a.run_id = ${runId}::uuid AND a.path = ANY(${textArrayLiteral([...paths])}::text[])
        AND a.token_scope IS DISTINCT FROM 'admin'
        AND (a.token_id IS NULL OR rn.token_id IS NULL OR a.token_id <> rn.token_id)
      ORDER BY a.path`);
    return rows.map((r) => r.path);
  }

  const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

  /** Removes the artifact at `path` and every artifact below `path/`; returns how many went. */
  async function remove(runId: string, path: string): Promise<number> {
    await runService.requireProject(runId);
    const removed = await db
      .delete(artifacts)
      .where(
        and(
          eq(artifacts.runId, runId),
          or(eq(artifacts.path, path), like(artifacts.path, `${escapeLike(path)}/%`)),
        ),
      )
      .returning({ path: artifacts.path });
    return removed.length;
  }

  /** Artifacts of these runs whose path matches a LIKE pattern (`%` any text). */
  async function listMatching(runIds: readonly string[], pattern: string): Promise<Artifact[]> {
    if (runIds.length === 0) return [];
    const rows = await db
      .select()
      .from(artifacts)
      .where(and(inArray(artifacts.runId, [...runIds]), like(artifacts.path, pattern)))
      .orderBy(artifacts.runId, artifacts.path);
    return rows.map(toArtifact);
  }

  /** Marks the artifacts below `prefix/` as `kind` (a model logged as plain files, then declared). */
  async function setKindBelow(runId: string, prefix: string, kind: ArtifactKind): Promise<void> {
    await db
      .update(artifacts)
      .set({ kind })
      .where(and(eq(artifacts.runId, runId), like(artifacts.path, `${escapeLike(prefix)}/%`)));
  }

  return { upload, find, list, require, notWrittenByRun, remove, listMatching, setKindBelow, blobs };
}
export type ArtifactService = ReturnType<typeof createArtifactService>;
