import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { type ApiToken, type ProjectGrant, projectGrant, type TokenScope } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { apiTokens } from "../db/schema.ts";
import type { Caller } from "../trpc.ts";

export const hashToken = (secret: string) => createHash("sha256").update(secret).digest("hex");

export function newTokenSecret(scope: TokenScope): string {
  return `lt_${scope}_${randomBytes(24).toString("base64url")}`;
}

const grantsOf = (stored: unknown): ProjectGrant[] | null =>
  stored === null || stored === undefined ? null : projectGrant.array().parse(stored);

const toApiToken = (r: typeof apiTokens.$inferSelect): ApiToken => ({
  id: r.id,
  name: r.name,
  scope: r.scope as TokenScope,
  projects: grantsOf(r.projects),
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
});

export function createTokenService(database: Database, opts: { envAdminToken?: string | undefined }) {
  const { db } = database;
  const envAdminHash = opts.envAdminToken ? Buffer.from(hashToken(opts.envAdminToken)) : null;
  /** Avoids a write per request: last-used times are refreshed at most once a minute per token. */
  const lastTouched = new Map<number, number>();
  /**
   * Recently seen secrets (by hash), so a busy client costs no lookup per request. Revoking through
   * this process clears it at once; another API process notices within CALLER_CACHE_MS.
   */
  const callers = new Map<string, { caller: Caller; until: number }>();
  const CALLER_CACHE_MS = 10_000;

  async function create(
    name: string,
    scope: TokenScope,
    projects: ProjectGrant[] | null = null,
  ): Promise<ApiToken & { token: string }> {
    const token = newTokenSecret(scope);
    const [row] = await db
      .insert(apiTokens)
      .values({ name, scope, tokenHash: hashToken(token), projects })
      .returning();
    return { ...toApiToken(row!), token };
  }

  async function list(): Promise<ApiToken[]> {
    const rows = await db.select().from(apiTokens).orderBy(apiTokens.id);
    return rows.map(toApiToken);
  }

  async function revoke(id: number): Promise<ApiToken> {
    const [row] = await db
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning();
    if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `id: no active token with id ${id}` });
    // After the commit: a lookup between clearing and committing would cache the token again.
    database.afterCommit(() => callers.clear());
    return toApiToken(row);
  }

  /** Who holds this secret, or null when it is unknown or revoked. */
  async function authenticate(secret: string | null | undefined): Promise<Caller | null> {
    if (!secret) return null;
    const hash = hashToken(secret);
    if (envAdminHash && timingSafeEqual(Buffer.from(hash), envAdminHash)) {
      return { tokenId: null, name: "LABTRACK_ADMIN_TOKEN", scope: "admin", projects: null };
    }
    const now = Date.now();
    const cached = callers.get(hash);
    if (cached && cached.until > now) return cached.caller;
    const rows = await db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)));
    const row = rows[0];
    if (!row) return null;
    if ((lastTouched.get(row.id) ?? 0) < now - 60_000) {
      lastTouched.set(row.id, now);
      await db
        .update(apiTokens)
        .set({ lastUsedAt: new Date(now) })
        .where(eq(apiTokens.id, row.id));
    }
    const caller: Caller = {
      tokenId: row.id,
      name: row.name,
      scope: row.scope as TokenScope,
      projects: grantsOf(row.projects),
    };
    if (callers.size >= 10_000) callers.clear();
    callers.set(hash, { caller, until: now + CALLER_CACHE_MS });
    return caller;
  }

  async function hasActiveAdmin(): Promise<boolean> {
    const rows = await database.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM api_tokens WHERE scope = 'admin' AND revoked_at IS NULL`,
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  return { create, list, revoke, authenticate, hasActiveAdmin };
}
export type TokenService = ReturnType<typeof createTokenService>;
