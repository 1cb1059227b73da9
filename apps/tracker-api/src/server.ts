import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { REQUEST_BODY_MAX_BYTES } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import type { Logger } from "pino";
import { type WebSocket, WebSocketServer } from "ws";
import { DATABASE_RETRY_AFTER_S, isDatabaseUnreachable } from "./db/database-unreachable.ts";
import { handleArtifactRequest } from "./http/artifact-routes.ts";
import { AuthThrottle, AuthThrottledError, type AuthThrottleOptions } from "./http/auth-throttle.ts";
import { bearerToken } from "./http/bearer.ts";
import { handleDatasetRequest } from "./http/dataset-routes.ts";
import { requestIdOf, sendUnexpectedError } from "./http/error-answer.ts";
import { handleMlflowRequest } from "./http/mlflow/mlflow-router.ts";
import { sendError, sendJson } from "./http/respond.ts";
import { dropRevokedSockets, TokenSockets } from "./http/token-sockets.ts";
import { appRouter } from "./root.ts";
import type { Services } from "./services/index.ts";
import type { Caller, Context } from "./trpc.ts";

/** A route outside tRPC; returns false when it does not handle the request. */
export type ExtraRoute = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: { services: Services; log: Logger; authenticate: () => Promise<Caller | null> },
) => Promise<boolean>;

export interface LabtrackServerOptions {
  services: Services;
  log: Logger;
  /** Tried in order before the 404, after /healthz, /trpc, /api/artifacts and the MLflow API. */
  extraRoutes?: ExtraRoute[];
  /** How many wrong tokens an address may send before it is made to wait. */
  authThrottle?: AuthThrottleOptions;
}

export interface LabtrackServer {
  server: http.Server;
  listen(port: number, host: string): Promise<{ port: number; url: string }>;
  /** Graceful stop: tell WebSocket clients to reconnect elsewhere, finish in-flight requests. */
  close(): Promise<void>;
}

/** The API's port is taken (another Labtrack, or another program): the user's situation, not a bug. */
export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(
      `port ${port} on ${host} is in use (another Labtrack, or another program): stop it, or set LABTRACK_PORT to a free port`,
    );
    this.name = "PortInUseError";
  }
}

/** The full error (SQL text, parameters) goes to the log under the id the short answer names. */
function logProcedureError(log: Logger, error: TRPCError, path: string | undefined, what: string): void {
  if (isDatabaseUnreachable(error)) {
    log.warn({ err: error.cause ?? error, path, requestId: requestIdOf(error) }, "database unreachable");
  } else if (error.code === "INTERNAL_SERVER_ERROR") {
    log.error({ err: error, path, requestId: requestIdOf(error) }, what);
  }
}

export function createLabtrackServer(opts: LabtrackServerOptions): LabtrackServer {
  const { services, log } = opts;

  const throttle = new AuthThrottle(opts.authThrottle);
  /** The caller a request's token names; AuthThrottledError when its address guessed too often. */
  async function authenticateFrom(req: IncomingMessage, token: string | null): Promise<Caller | null> {
    if (!token) return null;
    const address = req.socket.remoteAddress ?? "unknown";
    throttle.assertMayTry(address, token);
    const caller = await services.tokens.authenticate(token);
    if (caller) throttle.recordSuccess(token);
    else throttle.recordFailure(address);
    return caller;
  }

  const sockets = new TokenSockets();
  const stopDropping = dropRevokedSockets(services.tokens, sockets, log);
  let stopWatching: (() => Promise<void>) | null = null;

  const contextFor = async (
    req: IncomingMessage,
    connectionParams: Record<string, string | undefined> | null,
    transport: { response: ServerResponse } | { socket: WebSocket },
  ): Promise<Context> => {
    const token = bearerToken(req) ?? connectionParams?.token ?? null;
    let caller: Caller | null;
    try {
      caller = await authenticateFrom(req, token);
    } catch (error) {
      if (!(error instanceof AuthThrottledError)) throw error;
      if ("response" in transport)
        transport.response.setHeader("retry-after", String(error.retryAfterSeconds));
      throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: error.message });
    }
    const ctx: Context = { services, log, caller };
    const socket = "socket" in transport ? transport.socket : null;
    if (socket && ctx.caller?.tokenId != null) sockets.add(ctx.caller.tokenId, socket, ctx);
    return ctx;
  };

  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: REQUEST_BODY_MAX_BYTES,
    createContext: ({ req, res, info }) => contextFor(req, info.connectionParams, { response: res }),
    onError: ({ error, path }) => logProcedureError(log, error, path, "procedure failed"),
    responseMeta: ({ errors }) =>
      errors.some((error) => isDatabaseUnreachable(error))
        ? { headers: { "retry-after": String(DATABASE_RETRY_AFTER_S) } }
        : {},
  });

  const server = http.createServer((req, res) => {
    // No response is ever to be sniffed into another type (an uploaded .txt rendered as HTML).
    res.setHeader("x-content-type-options", "nosniff");
    const url = new URL(req.url ?? "/", "http://labtrack.local");
    route(req, res, url).catch((error: unknown) => {
      if (error instanceof AuthThrottledError && !res.headersSent) {
        res.setHeader("retry-after", String(error.retryAfterSeconds));
        return sendError(res, 429, "TOO_MANY_REQUESTS", error.message);
      }
      sendUnexpectedError(res, error, log, url.pathname);
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (url.pathname === "/healthz") {
      return sendJson(res, 200, { ok: true, database: services.database.kind });
    }
    if (url.pathname.startsWith("/trpc/")) {
      trpcHandler(req, res);
      return;
    }
    const authenticate = () => authenticateFrom(req, bearerToken(req));
    if (url.pathname.startsWith("/api/artifacts/")) {
      return handleArtifactRequest(req, res, url, { services, log, caller: await authenticate() });
    }
    if (url.pathname.startsWith("/api/datasets/")) {
      return handleDatasetRequest(req, res, url, { services, log, caller: await authenticate() });
    }
    // MLflow's tracking API on the same port, so MLFLOW_TRACKING_URI=http://host:8420 works.
    if (
      await handleMlflowRequest(req, res, url, {
        services,
        log,
        authenticate: (token) => authenticateFrom(req, token),
      })
    )
      return;
    for (const extra of opts.extraRoutes ?? []) {
      if (await extra(req, res, url, { services, log, authenticate })) return;
    }
    sendError(res, 404, "NOT_FOUND", `no route for ${req.method} ${url.pathname}`);
  }

  const wss = new WebSocketServer({ server, path: "/trpc", maxPayload: REQUEST_BODY_MAX_BYTES });
  const wsHandler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext: ({ req, res, info }) => contextFor(req, info.connectionParams, { socket: res }),
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
    onError: ({ error, path }) => logProcedureError(log, error, path, "subscription failed"),
  });

  return {
    server,
    async listen(port, host) {
      stopWatching ??= await services.watchCluster((error) =>
        log.error({ err: error }, "reading events of other API processes failed"),
      );
      return new Promise((resolve, reject) => {
        // ws re-emits the HTTP server's errors on the WebSocketServer, where nothing would listen
        // for them and Node would crash the process: the rejection below reports a failed listen.
        const reportedByRejection = () => {};
        wss.on("error", reportedByRejection);
        server.once("error", (error: NodeJS.ErrnoException) => {
          wss.off("error", reportedByRejection);
          reject(error.code === "EADDRINUSE" ? new PortInUseError(host, port) : error);
        });
        server.listen(port, host, () => {
          wss.off("error", reportedByRejection);
          const address = server.address() as AddressInfo;
          const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
          resolve({ port: address.port, url: `http://${shownHost}:${address.port}` });
        });
      });
    },
    async close() {
      wsHandler.broadcastReconnectNotification();
      for (const client of wss.clients) client.close(1001, "server shutting down");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(timer);
      stopDropping();
      await stopWatching?.();
    },
  };
}
