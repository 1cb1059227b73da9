import {
  METRICS_BATCH_MAX_POINTS,
  type ProjectGrant,
  REQUEST_BODY_MAX_BYTES,
  type TokenScope,
} from "@labtrack/schemas";
import { initTRPC, TRPCError } from "@trpc/server";
import type { Logger } from "pino";
import { ZodError } from "zod";
import { isDatabaseUnreachable } from "./db/database-unreachable.ts";
import { DATABASE_UNREACHABLE_MESSAGE, internalErrorMessage, requestIdOf } from "./http/error-answer.ts";
import type { Services } from "./services/index.ts";

export interface Caller {
  tokenId: number | null;
  name: string;
  scope: TokenScope;
  /** The projects the token is limited to; null: every project (always null for admins). */
  projects: ProjectGrant[] | null;
}

/** Built per request (HTTP) or per connection (WebSocket). */
export interface Context {
  services: Services;
  log: Logger;
  caller: Caller | null;
}

/** `points.3.value: Invalid input` — the path of each bad field first, so the message names it. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => {
      const field = issue.path.map(String).join(".");
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

export interface ProcedureMeta {
  /**
   * Run outside a transaction. Only for a long-poll (`runners.claim`), which must not hold one
   * while it waits; what it writes is one statement (and its event) in a transaction of its own.
   */
  outsideTransaction?: boolean;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    errorFormatter({ shape, error }) {
      if (isDatabaseUnreachable(error)) {
        // A connection failure, not a failed statement: the client should try again (503, Retry-After).
        return {
          ...shape,
          message: DATABASE_UNREACHABLE_MESSAGE,
          data: {
            ...shape.data,
            code: "SERVICE_UNAVAILABLE" as const,
            httpStatus: 503,
            stack: undefined,
            fields: null,
            requestId: null,
          },
        };
      }
      if (error.code === "INTERNAL_SERVER_ERROR") {
        // The cause may carry the SQL text and every parameter: that stays in the server log.
        return {
          ...shape,
          message: internalErrorMessage(error),
          data: {
            ...shape.data,
            stack: undefined,
            fields: null,
            requestId: requestIdOf(error) as string | null,
          },
        };
      }
      const zodError = error.cause instanceof ZodError ? error.cause : null;
      return {
        ...shape,
        message: zodError
          ? `Invalid input: ${describeZodError(zodError)}`
          : error.code === "PAYLOAD_TOO_LARGE"
            ? `request body is larger than ${REQUEST_BODY_MAX_BYTES / 1024 / 1024} MiB: split it (metrics.log takes at most ${METRICS_BATCH_MAX_POINTS} points per call)`
            : shape.message,
        data: {
          ...shape.data,
          stack: undefined,
          fields: zodError
            ? zodError.issues.map((i) => ({ path: i.path.map(String), message: i.message }))
            : null,
          requestId: null,
        },
      };
    },
  });

/**
 * A mutation commits all of its effects or none: its resolver runs in one transaction, which a
 * failure (a thrown error, a 4xx included) rolls back. Live events and queue wake-ups it caused
 * go out after the commit (`database.afterCommit`).
 */
const atomicMutations = t.middleware(({ ctx, type, meta, next }) => {
  if (type !== "mutation" || meta?.outsideTransaction) return next();
  return ctx.services.database.transaction(async () => {
    const result = await next();
    if (!result.ok) throw result.error;
    return result;
  });
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(atomicMutations);

/** Any valid token. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.caller) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "missing or invalid bearer token" });
  }
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});

function requireScope(allowed: readonly TokenScope[]) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!allowed.includes(ctx.caller.scope)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `this call needs a token with scope ${allowed.join(" or ")}; yours is ${ctx.caller.scope}`,
      });
    }
    return next();
  });
}

/** People (admin or user tokens): queueing, editing, reading. */
export const userProcedure = requireScope(["admin", "user"]);
/** Runner agents (and admins, for tests and tooling). */
export const runnerProcedure = requireScope(["runner", "admin"]);
export const adminProcedure = requireScope(["admin"]);
