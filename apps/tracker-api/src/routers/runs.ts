import {
  runsCancelInput,
  runsCloneInput,
  runsCreateInput,
  runsFinishInput,
  runsGetInput,
  runsListInput,
  runsSetResultsInput,
  runsUpdateInput,
} from "@labtrack/schemas";
import { authedProcedure, router, userProcedure } from "../trpc.ts";

export const runsRouter = router({
  create: authedProcedure.input(runsCreateInput).mutation(({ ctx, input }) => {
    ctx.services.access.assertProject(ctx.caller, input.project, "write");
    return ctx.services.runs.create(input, ctx.caller.name);
  }),
  get: authedProcedure.input(runsGetInput).query(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "read");
    return ctx.services.runs.get(input.runId);
  }),
  list: authedProcedure.input(runsListInput).query(({ ctx, input }) => {
    ctx.services.access.assertProject(ctx.caller, input.project, "read");
    return ctx.services.runs.list(input);
  }),
  update: authedProcedure.input(runsUpdateInput).mutation(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "write");
    return ctx.services.runs.update(input);
  }),
  finish: authedProcedure.input(runsFinishInput).mutation(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "write");
    return ctx.services.runs.finish(input, ctx.caller.name);
  }),
  setResults: authedProcedure.input(runsSetResultsInput).mutation(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "write");
    return ctx.services.runs.setResults(input.runId, input.results);
  }),
  events: authedProcedure.input(runsGetInput).query(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "read");
    return ctx.services.runs.events(input.runId);
  }),
  /** A queued run is canceled at once; a running one becomes canceling until its runner stops it. */
  cancel: userProcedure.input(runsCancelInput).mutation(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "write");
    return ctx.services.queue.cancel(input.runId, ctx.caller.name, input.reason);
  }),
  /** Queues a copy of a run's spec, optionally changed, in the same project. */
  clone: userProcedure.input(runsCloneInput).mutation(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "write");
    return ctx.services.queue.clone(input, ctx.caller.name);
  }),
});
