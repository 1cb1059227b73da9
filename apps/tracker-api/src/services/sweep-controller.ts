import { ashaDecision, nextSweepParams, sweepBudget, sweepRunSpec } from "@labtrack/core";
import { type SweepConfig, sweepConfig } from "@labtrack/schemas";
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Database } from "../db/client.ts";
import type { QueueService } from "./queue.ts";
import type { RunService } from "./runs.ts";
import { isActive, loadCurves, loadSweepRuns, PRUNED_TAG, SWEEP_TAG, sweepTrials } from "./sweep-runs.ts";

export const SWEEP_ACTOR = "sweep-controller";
/** First key of the two-key advisory locks the controller takes, one per sweep ("SW"). */
export const SWEEP_LOCK_CLASS = 0x5357;

export interface SweepStepOutcome {
  queued: number;
  pruned: number;
  finished: boolean;
}

interface SweepRow extends Record<string, unknown> {
  id: string;
  project: string;
  name: string;
  status: string;
  config: unknown;
}

/**
 * One pass over one sweep, in one transaction under the sweep's advisory lock (another API process
 * holding it: skipped, null): prune running runs that ASHA stops, queue samples until `concurrency`
 * runs are active or the budget is spent, and mark the sweep finished once every run has ended.
 * Everything it knows comes from the stored runs, so a restarted controller picks up where the last
 * one stopped and the (sweep, index) unique index makes a second queueing of a sample impossible.
 */
export function createSweepController(database: Database, runs: RunService, queue: QueueService) {
  async function step(sweepId: string): Promise<SweepStepOutcome | null> {
    return database.transaction(async () => {
      const [lock] = await database.query<{ ok: boolean }>(
        sql`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK_CLASS}::int, hashtext(${sweepId})) AS ok`,
      );
      if (!lock?.ok) return null;
      const [row] = await database.query<SweepRow>(sql`
        SELECT s.id::text AS id, p.slug AS project, s.name, s.status, s.config
        FROM sweeps s JOIN projects p ON p.id = s.project_id WHERE s.id = ${sweepId}`);
      if (row?.status !== "running") return { queued: 0, pruned: 0, finished: row?.status === "finished" };
      const config: SweepConfig = sweepConfig.parse(row.config);
      const sweepRuns = await loadSweepRuns(database, sweepId, config);
      const needCurves = config.early_terminate !== undefined || config.method === "bayes";
      const curves = needCurves
        ? await loadCurves(
            database,
            sweepRuns.map((r) => r.id),
            config.metric.name,
          )
        : new Map();

      let pruned = 0;
      if (config.early_terminate) {
        const options = { minIter: config.early_terminate.min_iter, eta: config.early_terminate.eta };
        for (const run of sweepRuns) {
          if (run.status !== "running") continue;
          const others = sweepRuns.filter((r) => r.id !== run.id).map((r) => curves.get(r.id) ?? []);
          const decision = ashaDecision(curves.get(run.id) ?? [], others, config.metric.goal, options);
          if (!decision.prune) continue;
          await runs.setKeyValueTags(run.id, { [PRUNED_TAG]: String(decision.step) });
          await queue.cancel(run.id, SWEEP_ACTOR, `pruned at step ${decision.step}`);
          run.status = "canceling";
          run.prunedAtStep = decision.step;
          pruned += 1;
        }
      }

      const budget = sweepBudget(config);
      let active = sweepRuns.filter((r) => isActive(r.status)).length;
      let next = sweepRuns.reduce((n, r) => Math.max(n, r.index + 1), 0);
      const trials = sweepTrials(sweepRuns, curves);
      let queued = 0;
      while (active < config.concurrency && next < budget) {
        const params = nextSweepParams(config, trials, next);
        await queue.enqueue(
          {
            project: row.project,
            name: `${config.name}-${next + 1}`,
            group: config.name,
            tags: [],
            keyValueTags: { [SWEEP_TAG]: sweepId },
            config: params,
            spec: sweepRunSpec(config, params),
            queue: config.queue,
            priority: config.priority,
            requirements: config.requirements,
            maxAttempts: 3,
          },
          SWEEP_ACTOR,
          null,
          { id: sweepId, index: next },
        );
        next += 1;
        active += 1;
        queued += 1;
      }
      const finished = next >= budget && active === 0;
      if (finished) {
        await database.query(
          sql`UPDATE sweeps SET status = 'finished', finished_at = now(), updated_at = now() WHERE id = ${sweepId}`,
        );
      }
      return { queued, pruned, finished };
    });
  }

  /** Steps every running sweep; returns how many runs were queued and pruned in all. */
  async function stepAll(log: Logger): Promise<{ queued: number; pruned: number }> {
    const rows = await database.query<{ id: string }>(
      sql`SELECT id::text AS id FROM sweeps WHERE status = 'running' ORDER BY created_at LIMIT 1000`,
    );
    const total = { queued: 0, pruned: 0 };
    for (const { id } of rows) {
      try {
        const outcome = await step(id);
        total.queued += outcome?.queued ?? 0;
        total.pruned += outcome?.pruned ?? 0;
        if (outcome?.finished) log.info({ sweep: id }, "sweep finished");
      } catch (error) {
        log.error({ err: error, sweep: id }, "sweep step failed");
      }
    }
    return total;
  }

  return { step, stepAll };
}
export type SweepController = ReturnType<typeof createSweepController>;

/** Steps the running sweeps every `intervalMs` in the API process; returns a stop function. */
export function startSweepController(opts: {
  controller: SweepController;
  log: Logger;
  intervalMs: number;
}): { stop: () => Promise<void> } {
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = opts.controller
      .stepAll(opts.log)
      .then((n) => {
        if (n.queued + n.pruned > 0) opts.log.info(n, "sweep controller queued and pruned runs");
      })
      .catch((error: unknown) => opts.log.error({ err: error }, "sweep controller failed"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
