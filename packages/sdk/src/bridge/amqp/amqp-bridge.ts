import { bridgeNameOf, checkBridgeTemplates, deadLetterQueueOf } from "@labtrack/core";
import type { AmqpBridgeConfig } from "@labtrack/schemas";
import type { Logger } from "pino";
import { createTrpcClient } from "../../trpc-client.ts";
import { AmqpLink } from "./amqp-link.ts";
import { createInboundMessages } from "./inbound-messages.ts";
import { createResultPublisher } from "./result-publisher.ts";

export interface AmqpBridgeOptions {
  config: AmqpBridgeConfig;
  /** The Labtrack server and a user token (the bridge queues runs). */
  labtrack: { url: string; token: string };
  logger: Logger;
  /** How long `stop` lets messages being handled finish before closing the connection. */
  drainTimeoutMs?: number;
}

export interface AmqpBridge {
  /** Sweeps for ended runs now (besides the poll); resolves to how many results were published. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * `labtrack bridge amqp`: RabbitMQ messages in, queued runs; ended runs, result messages out.
 * All of its state lives in Labtrack (run tags) and in the broker (unacked messages), so a bridge
 * killed at any point picks up where it was when started again.
 */
export async function startAmqpBridge(options: AmqpBridgeOptions): Promise<AmqpBridge> {
  const { config, logger } = options;
  checkBridgeTemplates(config);
  const client = createTrpcClient({ url: options.labtrack.url, token: options.labtrack.token });
  // Fail early on a wrong server or token, before taking messages off the queue.
  await client.trpc.projects.list.query();
  let link: AmqpLink | null = null;
  const currentLink = () => {
    if (!link) throw new Error("amqp: not connected");
    return link;
  };
  const inbound = createInboundMessages({ config, trpc: client.trpc, link: currentLink, logger });
  const results = createResultPublisher({
    config,
    trpc: client.trpc,
    link: currentLink,
    logger,
    serverUrl: options.labtrack.url,
  });
  link = new AmqpLink({
    ...config.amqp,
    inputQueue: config.input.queue,
    prefetch: config.input.prefetch,
    queues: [...new Set([config.input.queue, deadLetterQueueOf(config), config.output.queue])],
    declare: config.input.declare,
    onDelivery: (delivery) => inbound.onDelivery(delivery),
    logger,
  });
  try {
    await link.start();
  } catch (error) {
    await client.close();
    throw error;
  }
  results.start();
  logger.info(
    { bridge: bridgeNameOf(config), input: config.input.queue, output: config.output.queue },
    "amqp bridge started",
  );

  return {
    sweep: () => results.sweep(),
    async stop() {
      const sweeping = results.stop();
      await link.stopConsuming();
      const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        inbound.drain(),
        new Promise((resolve) => {
          timeout = setTimeout(resolve, drainTimeoutMs);
        }),
      ]);
      clearTimeout(timeout);
      await link.close();
      await Promise.all([sweeping, inbound.drain()]);
      await client.close();
      logger.info("amqp bridge stopped");
    },
  };
}
