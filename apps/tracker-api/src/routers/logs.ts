import { logsAppendInput, logsTailInput } from "@labtrack/schemas";
import { authedProcedure, router } from "../trpc.ts";

export const logsRouter = router({
  append: authedProcedure
    .input(logsAppendInput)
    .mutation(({ ctx, input }) => ctx.services.logs.append(input.runId, input.lines)),
  tail: authedProcedure.input(logsTailInput).query(({ ctx, input }) => ctx.services.logs.tail(input)),
});
