import type { AppRouter } from "@labtrack/tracker-api";
import { createTRPCClient, createWSClient, httpLink, splitLink, type TRPCClient, wsLink } from "@trpc/client";
import WebSocket from "ws";

export interface ClientOptions {
  /** The server, e.g. `http://localhost:8420`. */
  url: string;
  token: string;
}

export type LabtrackTRPCClient = TRPCClient<AppRouter>;

/**
 * Queries and mutations over HTTP (`/trpc`), subscriptions over one lazily opened WebSocket on
 * the same path. The WebSocket reconnects by itself; subscriptions resume from their last event id.
 */
export function createTrpcClient(opts: ClientOptions): {
  trpc: LabtrackTRPCClient;
  close: () => Promise<void>;
} {
  const base = opts.url.replace(/\/+$/, "");
  const wsClient = createWSClient({
    url: `${base.replace(/^http/, "ws")}/trpc`,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: { token: opts.token },
    lazy: { enabled: true, closeMs: 5_000 },
    retryDelayMs: (attempt) => Math.min(200 * 2 ** attempt, 5_000),
  });
  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: wsLink({ client: wsClient }),
        false: httpLink({ url: `${base}/trpc`, headers: { authorization: `Bearer ${opts.token}` } }),
      }),
    ],
  });
  return { trpc, close: () => wsClient.close() };
}
