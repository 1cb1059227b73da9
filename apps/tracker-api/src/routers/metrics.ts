import { metricsKeysInput, metricsLogInput, metricsSeriesInput } from "@labtrack/schemas";
import { authedProcedure, router } from "../trpc.ts";

export const metricsRouter = router({
  log: authedProcedure
    .input(metricsLogInput)
    .mutation(({ ctx, input }) => ctx.services.metrics.log(input.runId, input.points)),
  series: authedProcedure
    .input(metricsSeriesInput)
    .query(({ ctx, input }) => ctx.services.metrics.series(input)),
  keys: authedProcedure
    .input(metricsKeysInput)
    .query(({ ctx, input }) => ctx.services.metrics.keys(input.runIds)),
});
