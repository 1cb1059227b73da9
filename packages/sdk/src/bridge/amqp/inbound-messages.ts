import { randomUUID } from "node:crypto";
import {
  bridgedRunRequest,
  bridgeNameOf,
  deadLetterQueueOf,
  messageIdOf,
  messageRunFilter,
  parseMessageBody,
} from "@labtrack/core";
import type { AmqpBridgeConfig, QueueEnqueueInput } from "@labtrack/schemas";
import type { Logger } from "pino";
import type { LabtrackTRPCClient } from "../../trpc-client.ts";
import type { AmqpLink, Delivery } from "./amqp-link.ts";
import { isRejectedRequest, retryDelays } from "./retry.ts";

/** Headers a dead-lettered message carries besides its own. */
export const DEAD_LETTER_HEADERS = {
  reason: "x-labtrack-reason",
  sourceQueue: "x-labtrack-source-queue",
  deadAt: "x-labtrack-dead-at",
} as const;

const REASON_MAX_CHARS = 4000;

export interface InboundDeps {
  config: AmqpBridgeConfig;
  trpc: LabtrackTRPCClient;
  link: () => AmqpLink;
  logger: Logger;
}

/**
 * Turns each input message into one queued run. The message is acked only once its run exists;
 * a message whose run already exists (a redelivery) is acked without queuing another; a message
 * that cannot become a run goes to the dead-letter queue with the reason, then is acked.
 */
export function createInboundMessages({ config, trpc, link, logger }: InboundDeps) {
  const bridge = bridgeNameOf(config);
  const deadLetterQueue = deadLetterQueueOf(config);
  /** One handling at a time per message id, so a redelivery waits for the first copy's outcome. */
  const byMessageId = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();

  async function deadLetter(delivery: Delivery, reason: string): Promise<void> {
    const { content, properties } = delivery.message;
    const short = reason.length > REASON_MAX_CHARS ? `${reason.slice(0, REASON_MAX_CHARS)}…` : reason;
    await link().publish(deadLetterQueue, content, {
      messageId: typeof properties.messageId === "string" ? properties.messageId : `dead-${randomUUID()}`,
      contentType: properties.contentType,
      headers: {
        ...(properties.headers ?? {}),
        [DEAD_LETTER_HEADERS.reason]: short,
        [DEAD_LETTER_HEADERS.sourceQueue]: config.input.queue,
        [DEAD_LETTER_HEADERS.deadAt]: new Date().toISOString(),
      },
    });
    delivery.ack();
    logger.warn({ queue: deadLetterQueue, reason: short }, "amqp: message dead-lettered");
  }

  async function existingRunId(request: QueueEnqueueInput, messageId: string): Promise<string | null> {
    const page = await trpc.runs.list.query({
      project: request.project,
      filter: messageRunFilter(bridge, messageId),
      sort: { field: "createdAt", direction: "asc" },
      limit: 1,
    });
    return page.runs[0]?.id ?? null;
  }

  async function queueOnce(delivery: Delivery, request: QueueEnqueueInput, messageId: string): Promise<void> {
    for (const delay of retryDelays(config.amqp.reconnectInitialDelayMs, config.amqp.reconnectMaxDelayMs)) {
      // A copy on a closed channel is redelivered; that copy does the work.
      if (!delivery.live()) return;
      try {
        const existing = await existingRunId(request, messageId);
        if (existing) {
          delivery.ack();
          logger.info({ messageId, runId: existing }, "amqp: message already queued; acked again");
          return;
        }
        const run = await trpc.queue.enqueue.mutate(request);
        const acked = delivery.ack();
        logger.info({ messageId, runId: run.id, acked }, "amqp: message queued as a run");
        return;
      } catch (error) {
        if (isRejectedRequest(error))
          return deadLetter(delivery, `Labtrack refused the run: ${String((error as Error).message)}`);
        logger.warn({ err: error, messageId }, "amqp: Labtrack unreachable; retrying the message");
        await delay();
      }
    }
  }

  async function handle(delivery: Delivery): Promise<void> {
    const parsed = parseMessageBody(delivery.message.content);
    if (!parsed.ok) return deadLetter(delivery, parsed.reason);
    const id = messageIdOf(parsed.value, config.input.idField);
    if (!id.ok) return deadLetter(delivery, id.reason);
    const request = bridgedRunRequest(config, parsed.value, id.value);
    if (!request.ok) return deadLetter(delivery, request.reason);
    const before = byMessageId.get(id.value) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(() => queueOnce(delivery, request.value, id.value));
    byMessageId.set(id.value, mine);
    try {
      await mine;
    } finally {
      if (byMessageId.get(id.value) === mine) byMessageId.delete(id.value);
    }
  }

  return {
    onDelivery(delivery: Delivery): void {
      const handling = handle(delivery).catch((error: unknown) => {
        // Only a stopping bridge gets here (publishing gave up); the message stays unacked.
        logger.warn({ err: error }, "amqp: message left for redelivery");
      });
      pending.add(handling);
      void handling.finally(() => pending.delete(handling));
    },
    /** Waits for the messages being handled. */
    async drain(): Promise<void> {
      await Promise.all([...pending]);
    },
  };
}
