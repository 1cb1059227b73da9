import {
  bridgeNameOf,
  ENDED_RUN_STATUSES,
  resultMessageFor,
  resultMessageId,
  storedMessageOf,
  trainingStatusOf,
  unpublishedRunsFilter,
} from "@labtrack/core";
import { AMQP_BRIDGE_TAGS, type AmqpBridgeConfig, type JsonValue, type Run } from "@labtrack/schemas";
import type { Logger } from "pino";
import type { LabtrackTRPCClient } from "../../trpc-client.ts";
import type { AmqpLink } from "./amqp-link.ts";

export interface ResultPublisherDeps {
  config: AmqpBridgeConfig;
  trpc: LabtrackTRPCClient;
  link: () => AmqpLink;
  logger: Logger;
  /** The Labtrack server, for the run and model links in the message. */
  serverUrl: string;
}

const PAGE = 100;

/**
 * Publishes one result message per bridged run that ended. The run is marked published (a
 * key/value tag) only after the broker confirmed the message, so a bridge that was down, killed
 * or cut off publishes what it missed on its next sweep. Between the confirm and the mark a crash
 * republishes the same message with the same message id (`labtrack-run-<run id>`).
 */
export function createResultPublisher({ config, trpc, link, logger, serverUrl }: ResultPublisherDeps) {
  const bridge = bridgeNameOf(config);
  const base = serverUrl.replace(/\/+$/, "");
  let timer: NodeJS.Timeout | null = null;
  let sweeping: Promise<number> | null = null;
  let stopped = false;

  async function modelPathOf(runId: string): Promise<string | null> {
    const models = (await trpc.artifacts.list.query({ runId })).filter((a) => a.kind === "model");
    const model = models.find((a) => a.path.endsWith("model.json")) ?? models[0];
    return model?.path ?? null;
  }

  async function publish(run: Run): Promise<void> {
    const modelPath = await modelPathOf(run.id);
    const messageId = run.keyValueTags[AMQP_BRIDGE_TAGS.messageId] ?? null;
    const message = resultMessageFor(
      config.output.message,
      run as unknown as { [key: string]: JsonValue },
      storedMessageOf(run.keyValueTags),
      {
        trainingStatus: trainingStatusOf(run.status),
        runUrl: `${base}/runs/${run.id}`,
        modelPath,
        modelUrl: modelPath === null ? null : `${base}/api/artifacts/${run.id}/${modelPath}`,
        messageId,
      },
    );
    await link().publish(config.output.queue, Buffer.from(JSON.stringify(message)), {
      messageId: resultMessageId(run.id),
      correlationId: messageId ?? undefined,
      contentType: "application/json",
      timestamp: Math.floor(Date.now() / 1000),
      headers: { "x-labtrack-run-id": run.id },
    });
    await trpc.runs.update.mutate({
      runId: run.id,
      setKeyValueTags: { [AMQP_BRIDGE_TAGS.published]: new Date().toISOString() },
    });
    logger.info({ runId: run.id, status: run.status, messageId }, "amqp: result published");
  }

  /** One pass over every project: publishes each ended, unpublished run of this bridge. */
  async function sweepOnce(): Promise<number> {
    let published = 0;
    const failed = new Set<string>();
    for (const project of await trpc.projects.list.query()) {
      for (;;) {
        const page = await trpc.runs.list.query({
          project: project.slug,
          status: [...ENDED_RUN_STATUSES],
          filter: unpublishedRunsFilter(bridge),
          sort: { field: "createdAt", direction: "asc" },
          limit: PAGE,
        });
        let progressed = false;
        for (const run of page.runs) {
          if (stopped) return published;
          if (failed.has(run.id)) continue;
          try {
            await publish(run);
            published += 1;
            progressed = true;
          } catch (error) {
            if (stopped) throw error;
            // One run that cannot be published (deleted meanwhile, refused) holds up no other.
            failed.add(run.id);
            logger.warn(
              { err: error, runId: run.id },
              "amqp: result not published; retrying at the next poll",
            );
          }
        }
        // Published runs leave the filter, so the next page is the first page again.
        if (page.runs.length < PAGE || !progressed) break;
      }
    }
    return published;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void sweep().finally(schedule);
    }, config.output.pollIntervalMs);
  }

  /** Runs a sweep, or joins the one under way. */
  function sweep(): Promise<number> {
    sweeping ??= sweepOnce()
      .catch((error: unknown) => {
        if (!stopped) logger.warn({ err: error }, "amqp: result sweep failed; retrying at the next poll");
        return 0;
      })
      .finally(() => {
        sweeping = null;
      });
    return sweeping;
  }

  return {
    /** Catches up at once, then sweeps every `output.pollIntervalMs`. */
    start(): void {
      void sweep().finally(schedule);
    },
    sweep,
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await sweeping;
    },
  };
}
