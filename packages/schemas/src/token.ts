import { z } from "zod";
import { PG_INT_MAX, pgText } from "./pg-text.ts";

export const tokenScope = z.enum(["admin", "user", "runner"]);
export type TokenScope = z.infer<typeof tokenScope>;

export const tokensCreateInput = z.object({
  name: pgText().min(1).max(100),
  scope: tokenScope,
});

export const apiToken = z.object({
  id: z.number(),
  name: z.string(),
  scope: tokenScope,
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof apiToken>;

export const tokensCreateOutput = apiToken.extend({
  /** The secret, shown once; only its sha256 is stored. */
  token: z.string(),
});

export const tokensRevokeInput = z.object({ id: z.int().min(1).max(PG_INT_MAX) });
