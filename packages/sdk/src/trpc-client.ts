import type { AppRouter } from "@labtrack/tracker-api";
import { createTRPCClient, createWSClient, httpLink, splitLink, type TRPCClient, wsLink } from "@trpc/client";
import WebSocket from "ws";

export interface ClientOptions {
  /** The server, e.g. `http://localhost:8420`. */
  url: string;
  token: string;
  /**
   * `split` (default): queries and mutations over HTTP, subscriptions over the WebSocket.
   * `websocket`: every operation over the one WebSocket (long-lived agents such as the runner).
   */
  transport?: "split" | "websocket";
  /**
   * With `websocket`: how often the client pings the server (10 s). A server that does not answer
   * within 5 s (a frozen process, a dropped network path) is cut off, its pending calls fail and
   * the client connects again, instead of waiting for TCP to give up.
   */
  keepAliveMs?: number;
}

/** How long a closing handshake may go unanswered before the socket is cut (ws waits 30 s). */
const CLOSE_HANDSHAKE_MS = 2_000;

/** A `ws` WebSocket that does not wait 30 s for a peer that never answers its close frame. */
class PromptlyClosedWebSocket extends WebSocket {
  override close(code?: number, reason?: string | Buffer): void {
    super.close(code, reason);
    setTimeout(() => {
      if (this.readyState !== WebSocket.CLOSED) this.terminate();
    }, CLOSE_HANDSHAKE_MS).unref();
  }
}

export type LabtrackTRPCClient = TRPCClient<AppRouter>;

/**
 * Queries and mutations over HTTP (`/trpc`), subscriptions over one lazily opened WebSocket on
 * the same path. The WebSocket reconnects by itself; subscriptions resume from their last event id.
 */
export function createTrpcClient(opts: ClientOptions): {
  trpc: LabtrackTRPCClient;
  close: () => Promise<void>;
  /** Whether the WebSocket is open, connecting or idle (and the last connection error). */
  connectionState: ReturnType<typeof createWSClient>["connectionState"];
} {
  const base = opts.url.replace(/\/+$/, "");
  const wsClient = createWSClient({
    url: `${base.replace(/^http/, "ws")}/trpc`,
    WebSocket: PromptlyClosedWebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: { token: opts.token },
    // A long-lived agent notices a server that stopped answering; the lazy socket of split clients
    // closes by itself when idle, and its calls go over HTTP.
    keepAlive: {
      enabled: opts.transport === "websocket",
      intervalMs: opts.keepAliveMs ?? 10_000,
      pongTimeoutMs: Math.min(opts.keepAliveMs ?? 10_000, 5_000),
    },
    lazy: { enabled: opts.transport !== "websocket", closeMs: 5_000 },
    // An agent reconnects quickly so its spool drains soon after the server is back.
    retryDelayMs: (attempt) => Math.min(200 * 2 ** attempt, opts.transport === "websocket" ? 1_000 : 5_000),
  });
  const trpc = createTRPCClient<AppRouter>({
    links: [
      opts.transport === "websocket"
        ? wsLink({ client: wsClient })
        : splitLink({
            condition: (op) => op.type === "subscription",
            true: wsLink({ client: wsClient }),
            false: httpLink({ url: `${base}/trpc`, headers: { authorization: `Bearer ${opts.token}` } }),
          }),
    ],
  });
  return { trpc, close: () => wsClient.close(), connectionState: wsClient.connectionState };
}
