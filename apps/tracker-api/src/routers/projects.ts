import { projectsCreateInput } from "@labtrack/schemas";
import { authedProcedure, router, userProcedure } from "../trpc.ts";

export const projectsRouter = router({
  /** The projects the caller may read. */
  list: authedProcedure.query(async ({ ctx }) =>
    (await ctx.services.projects.list()).filter((p) =>
      ctx.services.access.allows(ctx.caller, p.slug, "read"),
    ),
  ),
  create: userProcedure.input(projectsCreateInput).mutation(({ ctx, input }) => {
    ctx.services.access.assertProject(ctx.caller, input.slug, "write", "slug");
    return ctx.services.projects.create(input);
  }),
});
