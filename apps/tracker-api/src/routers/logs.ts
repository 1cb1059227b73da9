import { logsAppendInput, logsTailInput } from "@labtrack/schemas";
import { authedProcedure, router } from "../trpc.ts";

export const logsRouter = router({
  /** Appends lines; `runStatus` tells a script whose run was canceled to stop (it is then `canceled`). */
  append: authedProcedure.input(logsAppendInput).mutation(async ({ ctx, input }) => {
    const appended = await ctx.services.logs.append(input.runId, input.lines);
    return {
      ...appended,
      runStatus: await ctx.services.scriptCancel.statusAfterReport(input.runId, ctx.caller.name),
    };
  }),
  tail: authedProcedure.input(logsTailInput).query(({ ctx, input }) => ctx.services.logs.tail(input)),
});
