import { queueEnqueueInput, queueListInput } from "@labtrack/schemas";
import { authedProcedure, router, userProcedure } from "../trpc.ts";

export const queueRouter = router({
  /** Queues an experiment; the spec is validated first and a bad field is named in the error. */
  enqueue: userProcedure
    .input(queueEnqueueInput)
    .mutation(({ ctx, input }) => ctx.services.queue.enqueue(input, ctx.caller.name)),
  /** Queued runs in the order they will start, with their position in their queue. */
  list: authedProcedure.input(queueListInput).query(({ ctx, input }) => ctx.services.queue.list(input)),
});
