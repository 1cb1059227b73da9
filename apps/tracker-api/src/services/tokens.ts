import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { type ApiToken, type ProjectGrant, projectGrant, type TokenScope } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { apiTokens } from "../db/schema.ts";
import type { Caller } from "../trpc.ts";

/** Postgres channel on which a revocation is announced to every API process (payload: the token id). */
const REVOKED_CHANNEL = "labtrack_token_revoked";

/** A token id that was revoked, or null when revocations may have been missed (check them all). */
export type RevocationListener = (tokenId: number | null) => void;

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
   * Recently seen secrets (by hash), so a busy client costs no lookup per request. A revocation
   * clears it in every API process at once (LISTEN/NOTIFY); CALLER_CACHE_MS only bounds how long a
   * process that missed the notification (its listening connection was down) can be wrong.
   */
  const callers = new Map<string, { caller: Caller; until: number }>();
  const CALLER_CACHE_MS = 10_000;
  const revocationListeners = new Set<RevocationListener>();
  const announceRevoked = (tokenId: number | null) => {
    callers.clear();
    for (const listener of revocationListeners) listener(tokenId);
  };

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

  /** Revokes a token; every API process on the database drops it at once (the NOTIFY commits with it). */
  async function revoke(id: number): Promise<ApiToken> {
    const row = await database.transaction(async () => {
      const [revoked] = await db
        .update(apiTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
        .returning();
      if (revoked) await database.query(sql`SELECT pg_notify(${REVOKED_CHANNEL}, ${String(id)})`);
      return revoked;
    });
    if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `id: no active token with id ${id}` });
    // After the commit: a lookup between clearing and committing would cache the token again.
    database.afterCommit(() => announceRevoked(id));
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

  /** Calls `listener` whenever a token is revoked, through this process or another one. */
  function onRevoked(listener: RevocationListener): () => void {
    revocationListeners.add(listener);
    return () => revocationListeners.delete(listener);
  }

  /** Follows revocations made by other API processes on the same database; resolves with a stop function. */
  function watchRevocations(): Promise<() => Promise<void>> {
    return database.listen(
      REVOKED_CHANNEL,
      (payload) => {
        const id = Number(payload);
        announceRevoked(Number.isInteger(id) ? id : null);
      },
      () => announceRevoked(null),
    );
  }

  /** Which of `ids` are revoked tokens. */
  async function revokedAmong(ids: readonly number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await db
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(and(inArray(apiTokens.id, [...ids]), isNotNull(apiTokens.revokedAt)));
    return new Set(rows.map((r) => r.id));
  }

  return {
    create,
    list,
    revoke,
    authenticate,
    hasActiveAdmin,
    onRevoked,
    watchRevocations,
    revokedAmong,
  };
}
export type TokenService = ReturnType<typeof createTokenService>;
