import type { IncomingMessage, ServerResponse } from "node:http";
import { pgTextProblem, REQUEST_BODY_MAX_BYTES } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import type { Logger } from "pino";
import type { Services } from "../../services/index.ts";
import type { Caller } from "../../trpc.ts";
import { invalidParameter, MlflowError } from "./mlflow-error.ts";
import { parsePythonJson } from "./python-json.ts";
import { fieldsFromQuery, type RequestFields } from "./request-fields.ts";

/** One MLflow API call, parsed: who calls, its fields and the size of its body. */
export interface MlflowCall {
  services: Services;
  log: Logger;
  caller: Caller;
  fields: RequestFields;
  bodyBytes: number;
  /** Values taken from the path, e.g. `model_id` in `/logged-models/{model_id}`. */
  pathParams: Record<string, string>;
}

/**
 * The Labtrack token of a request: `Authorization: Bearer <token>` (MLFLOW_TRACKING_TOKEN), or Basic
 * auth whose password is the token (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD).
 */
export function mlflowToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1] ?? null;
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (!basic?.[1]) return null;
  const decoded = Buffer.from(basic[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : decoded.slice(colon + 1) || null;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > REQUEST_BODY_MAX_BYTES) {
      throw invalidParameter(`The request body is larger than ${REQUEST_BODY_MAX_BYTES} bytes.`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** No MLflow request nests deeper than a few levels; deeper ones would overflow recursive code later. */
export const MAX_FIELD_DEPTH = 32;

/**
 * The first string (value or key) in the fields that Postgres text cannot hold (NUL, an unpaired
 * surrogate), or the first value nested deeper than MAX_FIELD_DEPTH, as `path: problem`; walks with
 * its own stack, so no nesting overflows the call stack.
 */
export function textProblemIn(fields: RequestFields): string | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: fields, path: "", depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (depth > MAX_FIELD_DEPTH && value !== null && typeof value === "object") {
      return `${path.slice(0, 200)}: nested deeper than ${MAX_FIELD_DEPTH} levels`;
    }
    if (typeof value === "string") {
      const problem = pgTextProblem(value);
      if (problem) return `${path || "value"}: ${problem}`;
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries())
        stack.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 });
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        const keyProblem = pgTextProblem(key);
        if (keyProblem) return `${path || "key"}: ${keyProblem}`;
        stack.push({ value: item, path: path ? `${path}.${key}` : key, depth: depth + 1 });
      }
    }
  }
  return null;
}

function checked(fields: RequestFields): RequestFields {
  const problem = textProblemIn(fields);
  if (problem) throw invalidParameter(problem);
  return fields;
}

/** A GET's fields come from its query string; any other method's from its JSON body. */
export async function requestFields(
  req: IncomingMessage,
  url: URL,
): Promise<{ fields: RequestFields; bodyBytes: number }> {
  if (req.method === "GET" || req.method === "HEAD") {
    return { fields: checked(fieldsFromQuery(url.searchParams)), bodyBytes: 0 };
  }
  const body = await readBody(req);
  const text = body.toString("utf8").trim();
  if (text === "") return { fields: checked(fieldsFromQuery(url.searchParams)), bodyBytes: 0 };
  let parsed: unknown;
  try {
    parsed = parsePythonJson(text);
    // Older clients post their JSON encoded twice, as a string (MLflow's server accepts it too).
    if (typeof parsed === "string") parsed = parsePythonJson(parsed);
  } catch {
    throw new MlflowError("BAD_REQUEST", "The request body is not valid JSON.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new MlflowError("BAD_REQUEST", "The request body must be a JSON object.");
  }
  return { fields: checked(stringifyExperimentIds(parsed as RequestFields)), bodyBytes: body.length };
}

/** Old clients send experiment ids as numbers; MLflow's server reads them as strings, as here. */
function stringifyExperimentIds(fields: RequestFields): RequestFields {
  const out = { ...fields };
  if (typeof out.experiment_id === "number") out.experiment_id = String(out.experiment_id);
  if (Array.isArray(out.experiment_ids)) {
    out.experiment_ids = out.experiment_ids.map((id) => (typeof id === "number" ? String(id) : id));
  }
  return out;
}

export function sendMlflowJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** MLflow's error shape; a TRPCError from a service keeps its message under the nearest MLflow code. */
export function sendMlflowError(res: ServerResponse, error: unknown, log: Logger): void {
  let mlflow: MlflowError;
  if (error instanceof MlflowError) mlflow = error;
  else if (error instanceof TRPCError) {
    const code =
      error.code === "NOT_FOUND"
        ? "RESOURCE_DOES_NOT_EXIST"
        : error.code === "CONFLICT"
          ? "INVALID_STATE"
          : error.code === "FORBIDDEN"
            ? "PERMISSION_DENIED"
            : error.code === "UNAUTHORIZED"
              ? "UNAUTHENTICATED"
              : error.code === "INTERNAL_SERVER_ERROR"
                ? "INTERNAL_ERROR"
                : "INVALID_PARAMETER_VALUE";
    if (code === "INTERNAL_ERROR") log.error({ err: error }, "mlflow request failed");
    mlflow = new MlflowError(code, code === "INTERNAL_ERROR" ? "Internal server error" : error.message);
  } else {
    // A real fault: logged here, answered without its details (no SQL reaches a client).
    log.error({ err: error }, "mlflow request failed");
    mlflow = new MlflowError("INTERNAL_ERROR", "Internal server error");
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendMlflowJson(res, mlflow.status, { error_code: mlflow.code, message: mlflow.message });
}
