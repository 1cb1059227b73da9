import { logsAppendInput, logsTailInput } from "@labtrack/schemas";
import { authedProcedure, router } from "../trpc.ts";

export const logsRouter = router({
  /** Appends lines; `runStatus` tells a script whose run was canceled to stop (it is then `canceled`). */
  append: authedProcedure.input(logsAppendInput).mutation(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "write");
    const appended = await ctx.services.logs.append(input.runId, input.lines, input.batchId);
    return {
      ...appended,
      runStatus: await ctx.services.scriptCancel.statusAfterReport(input.runId, ctx.caller.name),
    };
  }),
  tail: authedProcedure.input(logsTailInput).query(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "read");
    return ctx.services.logs.tail(input);
  }),
});
