import { artifactsListInput } from "@labtrack/schemas";
import { authedProcedure, router } from "../trpc.ts";

/** Listing only: bytes go through `PUT/GET /api/artifacts/<runId>/<path>` (streamed, any size). */
export const artifactsRouter = router({
  list: authedProcedure.input(artifactsListInput).query(async ({ ctx, input }) => {
    await ctx.services.access.assertRun(ctx.caller, input.runId, "read");
    return ctx.services.artifacts.list(input.runId, input.prefix);
  }),
});
