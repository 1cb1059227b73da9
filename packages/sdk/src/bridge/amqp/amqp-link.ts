import {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  connect,
  type Options,
  type RecoveringChannelModel,
} from "amqplib";
import type { Logger } from "pino";

/** One message from the input queue, acknowledged on the channel that delivered it. */
export interface Delivery {
  message: ConsumeMessage;
  /** Acks the message; false when its channel is gone (the broker then redelivers it). */
  ack(): boolean;
  /** Whether the channel that delivered the message is still open. */
  live(): boolean;
}

export interface AmqpLinkOptions {
  url: string;
  heartbeatSeconds: number;
  reconnectInitialDelayMs: number;
  reconnectMaxDelayMs: number;
  inputQueue: string;
  prefetch: number;
  /** Every queue the bridge reads or writes. */
  queues: string[];
  /** Assert the queues (durable) on each connect; otherwise check that they exist. */
  declare: boolean;
  onDelivery(delivery: Delivery): void;
  logger: Logger;
}

/** Errors that retrying will not fix: access refused, no such queue, queue declared differently. */
function isConfigurationError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (code === 403 || code === 404 || code === 406) return true;
  return /ACCESS[-_]REFUSED|PRECONDITION[-_]FAILED|NOT[-_]FOUND/.test(String((error as Error).message));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The bridge's RabbitMQ connection: reconnects with backoff (amqplib's recovery), and on each
 * connection opens a consuming channel (manual acks, prefetch) and a confirm channel for publishing.
 * A channel the broker closes takes its connection down with it, so both come back together.
 */
export class AmqpLink {
  private connection: RecoveringChannelModel | null = null;
  private model: ChannelModel | null = null;
  private publisher: ConfirmChannel | null = null;
  private consumer: { channel: Channel; tag: string } | null = null;
  private publisherWaiters: (() => void)[] = [];
  /** Message ids the broker returned as unroutable (mandatory publish to a missing queue). */
  private returned = new Set<string>();
  private closing = false;

  constructor(private readonly options: AmqpLinkOptions) {}

  /** Resolves once connected the first time; rejects on a configuration error. */
  async start(): Promise<void> {
    const { options } = this;
    const url = new URL(options.url);
    if (!url.searchParams.has("heartbeat"))
      url.searchParams.set("heartbeat", String(options.heartbeatSeconds));
    const log = options.logger;
    const connection = await connect(url.toString(), {
      recovery: {
        initialDelay: options.reconnectInitialDelayMs,
        maxDelay: options.reconnectMaxDelayMs,
        waitForConnect: false,
        setup: (model: ChannelModel) => this.setUp(model),
      },
    });
    this.connection = connection;
    let connectedOnce = false;
    const firstFailure = new Promise<never>((_, reject) => {
      connection.on("connect-failed", (error: Error) => {
        if (!connectedOnce && isConfigurationError(error)) reject(error);
        else log.warn({ err: error }, "amqp: connecting failed; retrying");
      });
    });
    firstFailure.catch(() => {});
    connection.on("connect", () => {
      connectedOnce = true;
      log.info({ queue: options.inputQueue }, "amqp: connected, consuming");
    });
    connection.on("disconnect", (error: Error) => {
      this.dropChannels();
      if (!this.closing) log.warn({ err: error }, "amqp: connection lost; reconnecting");
    });
    connection.on("reconnect-scheduled", (info: { attempt: number; delay: number }) =>
      log.info(info, "amqp: reconnect scheduled"),
    );
    connection.on("error", (error: Error) => log.warn({ err: error }, "amqp: connection error"));
    try {
      await Promise.race([connection.waitForConnect(), firstFailure]);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private async setUp(model: ChannelModel): Promise<void> {
    const { options } = this;
    const onChannelError = (error: Error) => options.logger.warn({ err: error }, "amqp: channel error");
    const publisher = await model.createConfirmChannel();
    // Listen at once: a refused declare or check arrives as the channel's 'error' event.
    publisher.on("error", onChannelError);
    for (const queue of options.queues) {
      if (options.declare) await publisher.assertQueue(queue, { durable: true });
      else await publisher.checkQueue(queue);
    }
    const channel = await model.createChannel();
    channel.on("error", onChannelError);
    await channel.prefetch(options.prefetch);
    let open = true;
    const restart = (why: string) => {
      open = false;
      if (this.closing || this.model !== model) return;
      options.logger.warn(`amqp: ${why}; reconnecting`);
      model.close().catch(() => {});
    };
    for (const ch of [publisher, channel]) ch.on("close", () => restart("a channel closed"));
    publisher.on("return", (returned: { properties: { messageId?: unknown } }) => {
      if (typeof returned.properties.messageId === "string") this.returned.add(returned.properties.messageId);
    });
    this.model = model;
    const consumed = await channel.consume(
      options.inputQueue,
      (message) => {
        if (message === null) return restart(`the broker canceled the consumer of ${options.inputQueue}`);
        options.onDelivery({
          message,
          live: () => open,
          ack: () => {
            if (!open) return false;
            try {
              channel.ack(message);
              return true;
            } catch {
              return false;
            }
          },
        });
      },
      { noAck: false },
    );
    this.consumer = { channel, tag: consumed.consumerTag };
    this.publisher = publisher;
    for (const wake of this.publisherWaiters.splice(0)) wake();
  }

  private dropChannels(): void {
    this.model = null;
    this.publisher = null;
    this.consumer = null;
  }

  private async openPublisher(): Promise<ConfirmChannel> {
    while (!this.publisher) {
      if (this.closing) throw new Error("amqp: the bridge is stopping");
      await new Promise<void>((resolve) => this.publisherWaiters.push(resolve));
    }
    return this.publisher;
  }

  /**
   * Publishes to a queue (persistent, mandatory) and resolves once the broker confirms it; waits
   * for a connection and retries with backoff until then. `messageId` is required: a republished
   * message keeps it, so consumers can drop duplicates.
   */
  async publish(queue: string, content: Buffer, properties: Options.Publish & { messageId: string }) {
    let delay = this.options.reconnectInitialDelayMs;
    for (;;) {
      const channel = await this.openPublisher();
      try {
        this.returned.delete(properties.messageId);
        await new Promise<void>((resolve, reject) => {
          channel.sendToQueue(
            queue,
            content,
            { persistent: true, mandatory: true, ...properties },
            (error) =>
              error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
          );
        });
        if (this.returned.delete(properties.messageId)) throw new Error(`queue ${queue} does not exist`);
        return;
      } catch (error) {
        if (this.closing) throw error;
        this.options.logger.warn({ err: error, queue }, "amqp: publish not confirmed; retrying");
        await sleep(delay);
        delay = Math.min(delay * 2, this.options.reconnectMaxDelayMs);
      }
    }
  }

  /** Stops new deliveries; messages already delivered can still be acked. */
  async stopConsuming(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    if (consumer) await consumer.channel.cancel(consumer.tag).catch(() => {});
  }

  /** Closes the connection; unacknowledged messages go back to their queue. */
  async close(): Promise<void> {
    this.closing = true;
    for (const wake of this.publisherWaiters.splice(0)) wake();
    this.dropChannels();
    await this.connection?.close().catch(() => {});
  }
}
