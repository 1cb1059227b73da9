import { metricsAttemptsInput, metricsKeysInput, metricsSeriesInput } from "@labtrack/schemas";
import { authedProcedure, router } from "../trpc.ts";
import { metricsLogInputParser } from "./metrics-log-input.ts";

export const metricsRouter = router({
  /** Stores points; `runStatus` tells a script whose run was canceled to stop (it is then `canceled`). */
  log: authedProcedure.input(metricsLogInputParser).mutation(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "write");
    const stored = await ctx.services.metrics.log(input.runId, input.points, input.attempt);
    return {
      ...stored,
      runStatus: await ctx.services.scriptCancel.statusAfterReport(input.runId, ctx.caller.name),
    };
  }),
  series: authedProcedure.input(metricsSeriesInput).query(async ({ ctx, input }) => {
    await ctx.services.access.assertRuns(ctx.caller, input.runIds, "read");
    return ctx.services.metrics.series(input);
  }),
  keys: authedProcedure.input(metricsKeysInput).query(async ({ ctx, input }) => {
    await ctx.services.access.assertRuns(ctx.caller, input.runIds, "read");
    return ctx.services.metrics.keys(input.runIds);
  }),
  /** Where each attempt of the run began (attempt 2 of a retried run, …), in attempt order. */
  attempts: authedProcedure.input(metricsAttemptsInput).query(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "read");
    return ctx.services.metrics.attempts(input.runId);
  }),
});
