import type { AppRouter } from "@labtrack/tracker-api";
import { createTRPCClient, createWSClient, httpBatchLink, httpLink, splitLink, wsLink } from "@trpc/client";

export type ApiClient = ReturnType<typeof createTRPCClient<AppRouter>>;

export interface Api {
  client: ApiClient;
  token: string;
  close(): void;
}

function wsUrl(origin: string): string {
  const url = new URL("/trpc", origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/**
 * Queries and mutations go over HTTP with the bearer header; subscriptions (`live.runs`) over one
 * WebSocket that sends the token as connection params and reconnects by itself.
 */
export function createApi(token: string, origin = window.location.origin): Api {
  const ws = createWSClient({
    url: wsUrl(origin),
    connectionParams: () => ({ token }),
    lazy: { enabled: true, closeMs: 10_000 },
  });
  const trpcUrl = new URL("/trpc", origin).toString();
  const headers = () => ({ authorization: `Bearer ${token}` });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: wsLink({ client: ws }),
        // Metric reads go on their own requests: the first chart draws as soon as its keys and data
        // are ready, instead of waiting for the slowest call of a batch.
        false: splitLink({
          condition: (op) => op.path === "metrics.series" || op.path === "metrics.keys",
          true: httpLink({ url: trpcUrl, headers }),
          false: httpBatchLink({ url: trpcUrl, maxURLLength: 4000, headers }),
        }),
      }),
    ],
  });
  return { client, token, close: () => void ws.close() };
}

/** A one-off check of a token, before it is stored. */
export async function whoami(token: string, origin = window.location.origin) {
  const client = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: new URL("/trpc", origin).toString(),
        headers: () => ({ authorization: `Bearer ${token}` }),
      }),
    ],
  });
  return client.tokens.whoami.query();
}
