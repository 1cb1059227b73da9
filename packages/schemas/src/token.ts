import { z } from "zod";
import { projectSlug } from "./common.ts";
import { PG_INT_MAX, pgText } from "./pg-text.ts";

export const tokenScope = z.enum(["admin", "user", "runner"]);
export type TokenScope = z.infer<typeof tokenScope>;

/** `write` includes `read`. */
export const projectAccess = z.enum(["read", "write"]);
export type ProjectAccess = z.infer<typeof projectAccess>;

/** One project a limited token may use, and how. */
export const projectGrant = z.object({ project: projectSlug, access: projectAccess });
export type ProjectGrant = z.infer<typeof projectGrant>;

export const tokensCreateInput = z
  .object({
    name: pgText().min(1).max(100),
    scope: tokenScope,
    /** Limits a user or runner token to these projects; absent: every project. */
    projects: z.array(projectGrant).min(1).max(200).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.projects === undefined) return;
    if (value.scope === "admin") {
      ctx.addIssue({
        code: "custom",
        path: ["projects"],
        message: "admin tokens see every project; limit a user or runner token instead",
      });
    }
    const seen = new Set<string>();
    value.projects.forEach((grant, index) => {
      if (seen.has(grant.project)) {
        ctx.addIssue({
          code: "custom",
          path: ["projects", index, "project"],
          message: `'${grant.project}' is listed twice`,
        });
      }
      seen.add(grant.project);
    });
  });

export const apiToken = z.object({
  id: z.number(),
  name: z.string(),
  scope: tokenScope,
  /** The projects the token is limited to; null: every project. */
  projects: z.array(projectGrant).nullable(),
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
