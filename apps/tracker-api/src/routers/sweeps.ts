import { sweepsControlInput, sweepsCreateInput, sweepsGetInput, sweepsListInput } from "@labtrack/schemas";
import { authedProcedure, type Caller, type Context, router, userProcedure } from "../trpc.ts";

/** Refuses (403 naming `sweepId`) a caller who may not use the sweep's project that way. */
async function assertSweepAccess(
  ctx: { services: Context["services"]; caller: Caller },
  sweepId: string,
  access: "read" | "write",
): Promise<void> {
  ctx.services.access.assertProject(
    ctx.caller,
    await ctx.services.sweeps.projectOf(sweepId),
    access,
    "sweepId",
  );
}

export const sweepsRouter = router({
  /** Stores a sweep (sweep.yaml as JSON; a bad space names the field) and queues its first runs. */
  create: userProcedure.input(sweepsCreateInput).mutation(({ ctx, input }) => {
    ctx.services.access.assertProject(ctx.caller, input.project, "write");
    return ctx.services.sweeps.create(input, ctx.caller.name);
  }),
  /** The sweep, its progress and every run with its parameters and goal value. */
  get: authedProcedure.input(sweepsGetInput).query(async ({ ctx, input }) => {
    await assertSweepAccess(ctx, input.sweepId, "read");
    return ctx.services.sweeps.get(input.sweepId);
  }),
  /** Sweeps, newest first (of the projects the caller may read). */
  list: authedProcedure.input(sweepsListInput).query(({ ctx, input }) => {
    if (input.project !== undefined) ctx.services.access.assertProject(ctx.caller, input.project, "read");
    return ctx.services.sweeps.list(input, ctx.services.access.allowedProjects(ctx.caller, "read"));
  }),
  /** No new runs until resumed; its queued and running runs go on. */
  pause: userProcedure.input(sweepsControlInput).mutation(async ({ ctx, input }) => {
    await assertSweepAccess(ctx, input.sweepId, "write");
    return ctx.services.sweeps.pause(input.sweepId);
  }),
  resume: userProcedure.input(sweepsControlInput).mutation(async ({ ctx, input }) => {
    await assertSweepAccess(ctx, input.sweepId, "write");
    return ctx.services.sweeps.resume(input.sweepId);
  }),
  /** Ends the sweep and cancels its queued and running runs. */
  cancel: userProcedure.input(sweepsControlInput).mutation(async ({ ctx, input }) => {
    await assertSweepAccess(ctx, input.sweepId, "write");
    return ctx.services.sweeps.cancel(input.sweepId, ctx.caller.name);
  }),
});
