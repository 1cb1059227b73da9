import { queueEnqueueInput, queueListInput } from "@labtrack/schemas";
import { authedProcedure, router, userProcedure } from "../trpc.ts";

export const queueRouter = router({
  /** Queues an experiment; the spec is validated first and a bad field is named in the error. */
  enqueue: userProcedure.input(queueEnqueueInput).mutation(({ ctx, input }) => {
    ctx.services.access.assertProject(ctx.caller, input.project, "write");
    return ctx.services.queue.enqueue(input, ctx.caller.name);
  }),
  /** Queued runs in the order they will start, with their position in their queue (of every project). */
  list: authedProcedure.input(queueListInput).query(async ({ ctx, input }) => {
    if (input.project !== undefined) ctx.services.access.assertProject(ctx.caller, input.project, "read");
    return ctx.services.queue.list(input, ctx.services.access.allowedProjects(ctx.caller, "read"));
  }),
});
