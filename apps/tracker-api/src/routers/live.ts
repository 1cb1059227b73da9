import { type LiveEvent, liveRunsInput } from "@labtrack/schemas";
import { tracked } from "@trpc/server";
import { authedProcedure, router } from "../trpc.ts";

export const liveRouter = router({
  /**
   * Metric, log and status events for a project or a set of runs. Each event carries an id;
   * a client that reconnects with the last id it saw (`lastEventId`) gets what it missed.
   */
  runs: authedProcedure.input(liveRunsInput).subscription(async function* ({ ctx, input, signal }) {
    // A project the token may not read is refused; runs of such projects send nothing.
    if (input.project !== undefined) ctx.services.access.assertProject(ctx.caller, input.project, "read");
    const readable = ctx.services.access.allowedProjects(ctx.caller, "read");
    const stream = ctx.services.bus.subscribe(
      {
        project: input.project,
        runIds: input.runIds ? new Set(input.runIds) : undefined,
        kinds: input.kinds ? new Set<LiveEvent["kind"]>(input.kinds) : undefined,
        projects: readable ? new Set(readable) : undefined,
      },
      input.lastEventId,
      signal,
    );
    for await (const { id, event } of stream) {
      yield tracked(id, event);
    }
  }),
});
