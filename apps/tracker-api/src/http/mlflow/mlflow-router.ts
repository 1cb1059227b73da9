import type { IncomingMessage, ServerResponse } from "node:http";
import { MlflowFilterError } from "@labtrack/core";
import type { Logger } from "pino";
import type { Services } from "../../services/index.ts";
import type { Caller } from "../../trpc.ts";
import { AuthThrottledError } from "../auth-throttle.ts";
import { handleMlflowArtifactRequest } from "./artifact-routes.ts";
import { experimentRoutes } from "./experiment-routes.ts";
import { experimentSearchRoutes } from "./experiment-search-routes.ts";
import { logRoutes } from "./log-routes.ts";
import { loggedModelRoutes, matchLoggedModelPath } from "./logged-model-routes.ts";
import { invalidParameter, MlflowError } from "./mlflow-error.ts";
import {
  type MlflowCall,
  mlflowToken,
  requestFields,
  sendMlflowError,
  sendMlflowJson,
} from "./mlflow-request.ts";
import { runRoutes } from "./run-routes.ts";
import { runSearchRoutes } from "./run-search-routes.ts";

type Handler = (call: MlflowCall) => Promise<object>;

/** `"<METHOD> <path after /mlflow/>"` to handler, from MLflow's service.proto endpoints. */
const ROUTES: Record<string, Handler> = {
  ...experimentRoutes,
  ...experimentSearchRoutes,
  ...runRoutes,
  ...runSearchRoutes,
  ...logRoutes,
  ...loggedModelRoutes,
};

const API_PREFIXES = ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"];
const ARTIFACT_PREFIXES = ["/api/2.0/mlflow-artifacts/", "/ajax-api/2.0/mlflow-artifacts/"];

export interface MlflowRouteContext {
  services: Services;
  log: Logger;
  authenticate: (token: string | null) => Promise<Caller | null>;
}

async function callerOf(req: IncomingMessage, ctx: MlflowRouteContext): Promise<Caller> {
  const token = mlflowToken(req);
  if (!token) {
    throw new MlflowError(
      "UNAUTHENTICATED",
      "A Labtrack token is required: set MLFLOW_TRACKING_TOKEN (or MLFLOW_TRACKING_PASSWORD).",
    );
  }
  const caller = await ctx.authenticate(token);
  if (!caller) throw new MlflowError("UNAUTHENTICATED", "The Labtrack token is unknown or revoked.");
  return caller;
}

function findHandler(
  method: string,
  path: string,
): { handler: Handler; pathParams: Record<string, string> } | null {
  const direct = ROUTES[`${method} ${path}`];
  if (direct) return { handler: direct, pathParams: {} };
  const model = matchLoggedModelPath(method, path);
  return model ? { handler: model.handler, pathParams: model.pathParams } : null;
}

/**
 * The MLflow tracking REST API (`/api/2.0/mlflow/...`, also under `/ajax-api/`) and the proxied
 * artifact API (`/api/2.0/mlflow-artifacts/...`). Returns false for any other path.
 */
export async function handleMlflowRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: MlflowRouteContext,
): Promise<boolean> {
  const apiPrefix = API_PREFIXES.find((p) => url.pathname.startsWith(p));
  const artifactPrefix = ARTIFACT_PREFIXES.find((p) => url.pathname.startsWith(p));
  if (!apiPrefix && !artifactPrefix) return false;
  try {
    const caller = await callerOf(req, ctx);
    if (artifactPrefix) {
      await handleMlflowArtifactRequest(req, res, url, { ...ctx, caller, prefix: artifactPrefix });
      return true;
    }
    const path = url.pathname.slice(apiPrefix!.length).replace(/\/+$/, "");
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    const found = findHandler(method, path);
    if (!found) {
      throw new MlflowError(
        "ENDPOINT_NOT_FOUND",
        `No endpoint ${method} ${url.pathname} on this server (Labtrack's MLflow API).`,
      );
    }
    const { fields, bodyBytes } = await requestFields(req, url);
    const call = {
      services: ctx.services,
      log: ctx.log,
      caller,
      fields,
      bodyBytes,
      pathParams: found.pathParams,
    };
    // A write commits all of its effects or none.
    const body =
      method === "GET"
        ? await found.handler(call)
        : await ctx.services.database.transaction(() => found.handler(call));
    sendMlflowJson(res, 200, body);
  } catch (error) {
    if (error instanceof AuthThrottledError && !res.headersSent) {
      res.setHeader("retry-after", String(error.retryAfterSeconds));
    }
    // Answered before its body was read to the end (a body over the limit): the rest of it is still
    // on the connection, so this connection is closed, and the client must not send on it again.
    if (!req.complete && !res.headersSent) res.setHeader("connection", "close");
    sendMlflowError(
      res,
      error instanceof MlflowFilterError
        ? invalidParameter(error.message)
        : error instanceof AuthThrottledError
          ? new MlflowError("REQUEST_LIMIT_EXCEEDED", error.message)
          : error,
      ctx.log,
    );
  }
  return true;
}
