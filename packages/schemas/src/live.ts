import { z } from "zod";
import { projectSlug, runId } from "./common.ts";
import { storedLogLine } from "./log.ts";
import { metricSeriesChunk } from "./metric.ts";
import { runStatus } from "./run.ts";

/** Subscribe to a project's runs or to a set of runs; resumes after `lastEventId` when given. */
export const liveRunsInput = z
  .object({
    project: projectSlug.optional(),
    runIds: z.array(runId).max(200).optional(),
    /** Which kinds of events to receive; all by default. */
    kinds: z.array(z.enum(["metric", "log", "status", "details"])).optional(),
    lastEventId: z.string().nullish(),
  })
  .refine((v) => v.project !== undefined || (v.runIds !== undefined && v.runIds.length > 0), {
    message: "give a project or at least one run id",
    path: ["project"],
  });
export type LiveRunsInput = z.input<typeof liveRunsInput>;

const base = { runId, project: z.string() };

export const liveEvent = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("metric"),
    ...base,
    /** Newly stored points, grouped by key (same columnar form as `metrics.series`). */
    series: z.array(metricSeriesChunk),
  }),
  z.object({ kind: z.literal("log"), ...base, lines: z.array(storedLogLine) }),
  z.object({
    kind: z.literal("status"),
    ...base,
    status: runStatus,
    reason: z.string().nullable(),
  }),
  /** The run's name, tags, key/value tags or notes were edited (`runs.update`): refetch it. */
  z.object({ kind: z.literal("details"), ...base }),
  /** The server could not replay from the given event id (restarted, or too far behind): refetch. */
  z.object({ kind: z.literal("resync"), runId: z.null(), project: z.null() }),
]);
export type LiveEvent = z.infer<typeof liveEvent>;
