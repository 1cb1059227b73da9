import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { artifactsRouter } from "./routers/artifacts.ts";
import { datasetsRouter } from "./routers/datasets.ts";
import { liveRouter } from "./routers/live.ts";
import { logsRouter } from "./routers/logs.ts";
import { metricsRouter } from "./routers/metrics.ts";
import { projectsRouter } from "./routers/projects.ts";
import { queueRouter } from "./routers/queue.ts";
import { runnersRouter } from "./routers/runners.ts";
import { runsRouter } from "./routers/runs.ts";
import { sweepsRouter } from "./routers/sweeps.ts";
import { tokensRouter } from "./routers/tokens.ts";
import { router } from "./trpc.ts";

export const appRouter = router({
  projects: projectsRouter,
  runs: runsRouter,
  metrics: metricsRouter,
  logs: logsRouter,
  artifacts: artifactsRouter,
  datasets: datasetsRouter,
  tokens: tokensRouter,
  live: liveRouter,
  queue: queueRouter,
  runners: runnersRouter,
  sweeps: sweepsRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
