import { projectsCreateInput } from "@labtrack/schemas";
import { authedProcedure, router, userProcedure } from "../trpc.ts";

export const projectsRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.services.projects.list()),
  create: userProcedure
    .input(projectsCreateInput)
    .mutation(({ ctx, input }) => ctx.services.projects.create(input)),
});
