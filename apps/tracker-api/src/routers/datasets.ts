import { datasetsGetInput, datasetsListInput } from "@labtrack/schemas";
import { authedProcedure, router } from "../trpc.ts";

/**
 * Listing only: tars go through `PUT /api/datasets/<name>` and `GET /api/datasets/<name>/<version>`.
 * Datasets belong to no project (runs of any project train on them), so every token may read them.
 */
export const datasetsRouter = router({
  list: authedProcedure
    .input(datasetsListInput)
    .query(({ ctx, input }) => ctx.services.datasets.list(input.name)),
  get: authedProcedure
    .input(datasetsGetInput)
    .query(({ ctx, input }) => ctx.services.datasets.get(input.name, input.version)),
});
