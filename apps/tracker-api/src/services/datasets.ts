import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Dataset, DatasetPushResult } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { and, desc, eq } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { datasets } from "../db/schema.ts";
import type { BlobStore } from "./blob-store.ts";
import { createTarFileCounter } from "./tar-file-count.ts";

const toDataset = (r: typeof datasets.$inferSelect): Dataset => ({
  name: r.name,
  version: r.version,
  sha256: r.sha256,
  size: r.size,
  fileCount: r.fileCount,
  createdAt: r.createdAt.toISOString(),
});

export function createDatasetService(database: Database, blobs: BlobStore) {
  const { db } = database;

  const findBySha = async (name: string, sha256: string) =>
    (
      await db
        .select()
        .from(datasets)
        .where(and(eq(datasets.name, name), eq(datasets.sha256, sha256)))
    )[0];

  /**
   * Stores a tar as the next version of `name`; the same bytes pushed again answer the version
   * they already are. Versions are numbered 1, 2, … per name.
   */
  async function push(
    name: string,
    body: Readable,
    opts: { maxBytes?: number } = {},
  ): Promise<DatasetPushResult> {
    const counter = createTarFileCounter();
    // A body that fails mid-way fails the tap too, and with it the put.
    const piping = pipeline(body, counter.tap).catch(() => {});
    let fileCount = 0;
    // Bytes that are not a tar are refused before they are kept.
    const accept = async () => {
      try {
        fileCount = await counter.count();
      } catch (error) {
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: `body: not a tar archive (${(error as Error).message})`,
        });
      }
    };
    const { sha256, size } = await blobs.put(counter.tap, { ...opts, accept });
    await piping;
    const existing = await findBySha(name, sha256);
    if (existing) return { ...toDataset(existing), created: false };
    // Two pushes racing for the next version number: the loser retries with the one after.
    for (let attempt = 0; attempt < 10; attempt++) {
      const [latest] = await db
        .select({ version: datasets.version })
        .from(datasets)
        .where(eq(datasets.name, name))
        .orderBy(desc(datasets.version))
        .limit(1);
      const [row] = await db
        .insert(datasets)
        .values({ name, version: (latest?.version ?? 0) + 1, sha256, size, fileCount })
        .onConflictDoNothing()
        .returning();
      if (row) return { ...toDataset(row), created: true };
      const same = await findBySha(name, sha256);
      if (same) return { ...toDataset(same), created: false };
    }
    throw new Error(`dataset ${name}: could not pick a version number (too many concurrent pushes)`);
  }

  async function list(name?: string): Promise<Dataset[]> {
    const rows = await db
      .select()
      .from(datasets)
      .where(name ? eq(datasets.name, name) : undefined)
      .orderBy(datasets.name, desc(datasets.version));
    return rows.map(toDataset);
  }

  /** A version, or the latest one; NOT_FOUND names what is missing. */
  async function get(name: string, version?: number): Promise<Dataset> {
    const rows = await db
      .select()
      .from(datasets)
      .where(
        version === undefined
          ? eq(datasets.name, name)
          : and(eq(datasets.name, name), eq(datasets.version, version)),
      )
      .orderBy(desc(datasets.version))
      .limit(1);
    const row = rows[0];
    if (row) return toDataset(row);
    const named =
      version === undefined ? [] : await db.select().from(datasets).where(eq(datasets.name, name)).limit(1);
    throw new TRPCError({
      code: "NOT_FOUND",
      message:
        named.length > 0
          ? `version: dataset '${name}' has no version ${version}`
          : `name: no dataset '${name}'`,
    });
  }

  return { push, list, get, blobs };
}
export type DatasetService = ReturnType<typeof createDatasetService>;
