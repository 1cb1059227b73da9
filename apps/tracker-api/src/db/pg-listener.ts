import postgres from "postgres";
import { reconnectBackoffSeconds } from "./reconnect-backoff.ts";

interface Channel {
  onMessage: (payload: string) => void;
  onConnect?: () => void;
}

/** Waits between attempts to listen again while the database is unreachable. */
const RETRY_MS = [50, 100, 250, 500, 1_000, 2_000];

/**
 * Postgres LISTEN on a connection of its own, for every channel of one API process.
 *
 * postgres.js's own `listen` hands notifications that arrive on a new connection to the listener
 * before it calls `onlisten` (they can share the socket read with the LISTEN's reply): a caller that
 * catches up from a table in `onlisten` then starts after a message that came later than one it
 * missed while disconnected, and skips that one. Here a channel's messages are passed on only
 * once its `onConnect` has run for the current connection: what arrives before that was committed
 * before the caller catches up (reads the table), so it is dropped, never delivered ahead of a gap.
 * A dropped connection is retried with backoff until it listens again or `close` is called.
 */
export class PgListener {
  private readonly channels = new Map<string, Channel>();
  /** The channels listening on the current connection whose `onConnect` has run. */
  private readonly live = new Set<string>();
  private readonly sql: postgres.Sql;
  private reconnecting: Promise<void> | null = null;
  private closed = false;

  constructor(url: string, applicationName: string) {
    this.sql = postgres(url, {
      max: 1,
      idle_timeout: 0, // never closed for being idle
      max_lifetime: null, // nor for being old
      fetch_types: false,
      onnotice: () => {},
      backoff: reconnectBackoffSeconds,
      connection: { application_name: applicationName },
      // An option postgres.js reads (parseOptions in its src/index.js) but does not declare.
      ...({ onnotify: (channel: string, payload: string) => this.deliver(channel, payload) } as object),
      onclose: () => {
        this.live.clear();
        if (!this.closed && this.channels.size > 0) void this.reconnect();
      },
    });
  }

  /** Listens on `channel`; resolves once listening (rejects when the database cannot be reached). */
  async listen(channel: string, onMessage: (payload: string) => void, onConnect?: () => void) {
    if (this.channels.has(channel)) throw new Error(`already listening on ${channel}`);
    this.channels.set(channel, { onMessage, onConnect });
    try {
      await this.subscribe(channel);
    } catch (error) {
      this.channels.delete(channel);
      throw error;
    }
    return async () => {
      this.channels.delete(channel);
      this.live.delete(channel);
      if (!this.closed) await this.sql`UNLISTEN ${this.sql(channel)}`.catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.live.clear();
    await this.sql.end({ timeout: 1 });
  }

  private deliver(channel: string, payload: string): void {
    if (this.live.has(channel)) this.channels.get(channel)?.onMessage(payload);
  }

  private async subscribe(channel: string): Promise<void> {
    await this.sql`LISTEN ${this.sql(channel)}`;
    const entry = this.channels.get(channel);
    if (!entry || this.closed) return;
    // In one synchronous step: from here on messages pass, and the caller catches up first.
    this.live.add(channel);
    entry.onConnect?.();
  }

  /** Listens again on every channel, retrying until it works or the listener is closed. */
  private reconnect(): Promise<void> {
    this.reconnecting ??= (async () => {
      for (let attempt = 0; !this.closed; ) {
        // A connection can drop again while the channels are subscribed one by one: loop until all are.
        const missing = [...this.channels.keys()].filter((channel) => !this.live.has(channel));
        if (missing.length === 0) return;
        try {
          for (const channel of missing) await this.subscribe(channel);
          attempt = 0;
        } catch {
          await new Promise((resolve) =>
            setTimeout(resolve, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]),
          );
          attempt++;
        }
      }
    })().finally(() => {
      this.reconnecting = null;
    });
    return this.reconnecting;
  }
}
