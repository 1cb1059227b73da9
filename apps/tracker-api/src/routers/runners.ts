import {
  runnersClaimInput,
  runnersHeartbeatInput,
  runnersListInput,
  runnersRegisterInput,
  runnersReportInput,
} from "@labtrack/schemas";
import { z } from "zod";
import { authedProcedure, router, runnerProcedure } from "../trpc.ts";

export const runnersRouter = router({
  /** A runner announces itself and its capabilities; answers its id and lease/heartbeat timings. */
  register: runnerProcedure
    .input(runnersRegisterInput)
    .mutation(({ ctx, input }) => ctx.services.runners.register(input, ctx.caller)),
  /** Long-poll: the best queued run this slot can serve, or null after `waitMs`. */
  claim: runnerProcedure
    .meta({ outsideTransaction: true })
    .input(runnersClaimInput)
    .mutation(async ({ ctx, input, signal }) => {
      return ctx.services.runners.claim(
        input,
        signal,
        ctx.services.access.allowedProjects(ctx.caller, "write"),
        ctx.caller,
      );
    }),
  heartbeat: runnerProcedure.input(runnersHeartbeatInput).mutation(async ({ ctx, input }) => {
    await ctx.services.runners.requireOwnRunner(input.runnerId, ctx.caller);
    return ctx.services.runners.heartbeat(input);
  }),
  /** How a held run ended (or that it is handed back to the queue). */
  report: runnerProcedure.input(runnersReportInput).mutation(async ({ ctx, input }) => {
    await ctx.services.runners.requireOwnRunner(input.runnerId, ctx.caller);
    return ctx.services.runners.report(input);
  }),
  stop: runnerProcedure.input(z.object({ runnerId: z.uuid() })).mutation(async ({ ctx, input }) => {
    await ctx.services.runners.requireOwnRunner(input.runnerId, ctx.caller);
    return ctx.services.runners.stop(input.runnerId);
  }),
  /** Runners with their GPUs (live utilisation and memory), slots and current runs, online or not. */
  /** Runs of projects the caller may not read are left out (their slots show no run). */
  list: authedProcedure.input(runnersListInput).query(async ({ ctx, input }) => {
    const listed = await ctx.services.runners.list(input.includeOffline);
    if (ctx.caller.projects === null) return listed;
    const readable = (project: string) => ctx.services.access.allows(ctx.caller, project, "read");
    return listed.map((runner) => ({
      ...runner,
      slots: runner.slots.map((slot) =>
        slot.run && !readable(slot.run.project) ? { ...slot, run: null } : slot,
      ),
    }));
  }),
});
