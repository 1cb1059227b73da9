import type { AppRouter } from "@labtrack/tracker-api";
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from "@trpc/client";

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
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: wsLink({ client: ws }),
        false: httpBatchLink({
          url: new URL("/trpc", origin).toString(),
          maxURLLength: 4000,
          headers: () => ({ authorization: `Bearer ${token}` }),
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
