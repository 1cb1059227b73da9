import { tokensCreateInput, tokensRevokeInput } from "@labtrack/schemas";
import { adminProcedure, authedProcedure, router } from "../trpc.ts";

export const tokensRouter = router({
  create: adminProcedure
    .input(tokensCreateInput)
    .mutation(({ ctx, input }) =>
      ctx.services.tokens.create(input.name, input.scope, input.projects ?? null),
    ),
  list: adminProcedure.query(({ ctx }) => ctx.services.tokens.list()),
  revoke: adminProcedure
    .input(tokensRevokeInput)
    .mutation(({ ctx, input }) => ctx.services.tokens.revoke(input.id)),
  /** Who the caller is: lets a client check its token. */
  whoami: authedProcedure.query(({ ctx }) => ({
    name: ctx.caller.name,
    scope: ctx.caller.scope,
    projects: ctx.caller.projects,
  })),
});
