import path from "node:path";
import type { ClaimedRun, RunnerSlot } from "@labtrack/schemas";
import { createTrpcClient, type LabtrackTRPCClient } from "@labtrack/sdk";
import type { Logger } from "pino";
import type { RunnerConfig } from "../env.ts";
import { collectCapabilities, type HostInventory } from "./capabilities.ts";
import { startHeartbeats } from "./heartbeats.ts";
import { createOutbox, isPermanentRejection, type OutboxEntry } from "./outbox.ts";
import { RunExecutor } from "./run-executor.ts";

export const RUNNER_VERSION = "0.1.0";

export interface RunnerAgent {
  readonly name: string;
  readonly slots: RunnerSlot[];
  /** The current registration id (it changes when the runner has to register again). */
  readonly runnerId: string;
  /** Stop claiming, let running work finish for the grace period, then hand it back to the queue. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const codeOf = (error: unknown) => (error as { data?: { code?: unknown } } | null)?.data?.code;

async function register(
  trpc: LabtrackTRPCClient,
  config: RunnerConfig,
  inventory: HostInventory,
  log: Logger,
) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await trpc.runners.register.mutate({
        name: config.name,
        capabilities: inventory.capabilities,
        queues: config.queues,
        slots: inventory.slots,
      });
    } catch (error) {
      if (isPermanentRejection(error) || codeOf(error) === "UNAUTHORIZED") {
        throw new Error(`the tracker refused this runner: ${errorText(error)}`);
      }
      log.warn({ err: errorText(error), attempt }, "tracker unreachable; retrying registration");
      await sleep(Math.min(250 * attempt, 2_000));
    }
  }
}

/** Registers with the tracker, then serves each slot: claim, run, report; until `stop`. */
export async function startRunnerAgent(config: RunnerConfig, log: Logger): Promise<RunnerAgent> {
  const inventory = await collectCapabilities(config, RUNNER_VERSION);
  const { trpc, close } = createTrpcClient({ url: config.url, token: config.token, transport: "websocket" });
  const executors = new Map<string, RunExecutor>();
  /** Runs whose final report is not on the server yet: still ours, still heartbeated. */
  const reporting = new Set<string>();
  const outbox = createOutbox({
    dir: path.join(config.workDir, "spool"),
    trpc,
    url: config.url,
    token: config.token,
    log,
    runnerName: config.name,
    onSent: (entries: OutboxEntry[]) => {
      for (const entry of entries) if (entry.t === "report") reporting.delete(entry.report.runId);
    },
  });
  const append = (entry: OutboxEntry) => {
    if (entry.t === "report") reporting.add(entry.report.runId);
    outbox.append(entry);
  };
  let registration = await register(trpc, config, inventory, log);
  let reregistering: Promise<void> | null = null;
  const reregister = () => {
    reregistering ??= (async () => {
      log.warn("the tracker no longer knows this runner; registering again");
      for (const executor of executors.values()) executor.stop("release");
      registration = await register(trpc, config, inventory, log);
    })().finally(() => {
      reregistering = null;
    });
    return reregistering;
  };
  log.info(
    { runnerId: registration.runnerId, slots: inventory.slots, capabilities: inventory.capabilities },
    `runner ${config.name} registered with ${config.url}`,
  );

  let stopping = false;
  const heartbeats = startHeartbeats({
    trpc,
    nvidiaSmi: config.nvidiaSmi,
    hasGpus: inventory.capabilities.gpus.length > 0,
    intervalMs: () => registration.heartbeatMs,
    runnerId: () => registration.runnerId,
    heldRuns: () => [...new Set([...executors.keys(), ...reporting])],
    slotOf: (runId) => executors.get(runId)?.slot ?? null,
    onCancel: (runId) => executors.get(runId)?.stop("cancel"),
    onRelease: (runId) => {
      executors.get(runId)?.stop("release");
      reporting.delete(runId);
    },
    onUnknownRunner: () => void reregister(),
    append,
    log,
  });

  async function serveSlot(slot: RunnerSlot): Promise<void> {
    let failures = 0;
    while (!stopping) {
      let run: ClaimedRun | null;
      try {
        await reregistering;
        run = await trpc.runners.claim.mutate({
          runnerId: registration.runnerId,
          slot: slot.index,
          waitMs: config.claimWaitMs,
        });
        failures = 0;
      } catch (error) {
        if (codeOf(error) === "NOT_FOUND") await reregister().catch(() => {});
        failures += 1;
        log.debug({ err: errorText(error), slot: slot.index }, "claim failed; retrying");
        await sleep(Math.min(200 * failures, 2_000));
        continue;
      }
      if (!run) continue;
      if (stopping) {
        append({
          t: "report",
          report: { runnerId: registration.runnerId, runId: run.id, outcome: "requeue" },
        });
        break;
      }
      const runLog = log.child({ runId: run.id, slot: slot.index });
      runLog.info({ name: run.name, attempt: run.attempt }, "claimed a run");
      const executor = new RunExecutor({
        run,
        slot,
        runnerId: registration.runnerId,
        runnerName: config.name,
        url: config.url,
        token: config.token,
        workRoot: config.workDir,
        baseEnv: config.childEnv,
        s3: config.s3,
        killGraceMs: config.killGraceMs,
        trpc,
        append,
        log: runLog,
      });
      executors.set(run.id, executor);
      try {
        const outcome = await executor.done;
        runLog.info({ outcome }, "run finished");
      } catch (error) {
        runLog.error({ err: error }, "the run executor failed");
        append({
          t: "report",
          report: {
            runnerId: registration.runnerId,
            runId: run.id,
            outcome: "failed",
            error: errorText(error),
          },
        });
      } finally {
        executors.delete(run.id);
      }
    }
  }

  const slotLoops = inventory.slots.map((slot) => serveSlot(slot));

  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info({ running: executors.size, graceMs: config.graceMs }, "stopping: no new claims");
    // The tracker answers our waiting claims at once.
    await trpc.runners.stop.mutate({ runnerId: registration.runnerId }).catch(() => {});
    const allDone = () => Promise.all([...executors.values()].map((e) => e.done.catch(() => null)));
    const inTime = await Promise.race([allDone().then(() => true), sleep(config.graceMs).then(() => false)]);
    if (!inTime) {
      log.info(
        { running: [...executors.keys()] },
        "grace period over: handing unfinished runs back to the queue",
      );
      for (const executor of executors.values()) executor.stop("shutdown");
      await allDone();
    }
    await Promise.race([Promise.all(slotLoops), sleep(1_000)]);
    const drained = await outbox.drained(10_000);
    if (!drained)
      log.warn({ backlog: outbox.backlog }, "the tracker did not take everything; the spool keeps the rest");
    heartbeats.stop();
    await outbox.close();
    await close();
    log.info("runner stopped");
  }

  return {
    name: config.name,
    slots: inventory.slots,
    get runnerId() {
      return registration.runnerId;
    },
    stop,
  };
}
