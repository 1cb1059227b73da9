import type { IncomingMessage, ServerResponse } from "node:http";
import type { ArtifactKind, ProjectAccess } from "@labtrack/schemas";
import type { Logger } from "pino";
import { validateArtifactPath } from "../../services/artifacts.ts";
import type { Services } from "../../services/index.ts";
import type { Caller } from "../../trpc.ts";
import { artifactDownloadHeaders, sendStream } from "../respond.ts";
import { LOGGED_MODEL_RECORD, loggedModelDir, runOfLoggedModel } from "./logged-model-ids.ts";
import { doesNotExist, invalidParameter, MlflowError } from "./mlflow-error.ts";
import { experimentIdOf, parseRunId } from "./mlflow-ids.ts";
import { sendMlflowJson } from "./mlflow-request.ts";
import { assertActive, projectOfRun } from "./run-loading.ts";

/** An artifact path of `mlflow server --serve-artifacts`, as the Labtrack run artifacts it stands for. */
export interface ArtifactTarget {
  runId: string;
  /** The Labtrack path the MLflow root stands for: "" for a run, `models/<id>` for a logged model. */
  base: string;
  /** The rest of the path below that root ("" for the root itself). */
  rest: string;
  kind: ArtifactKind;
}

function decodePath(raw: string): string {
  try {
    return raw
      .split("/")
      .map((segment) => decodeURIComponent(segment))
      .join("/");
  } catch {
    throw invalidParameter("Invalid path: not valid percent-encoding");
  }
}

/**
 * `<experiment>/<run>/artifacts[/<path>]` (a run's artifacts) or
 * `<experiment>/models/<model id>/artifacts[/<path>]` (a logged model's), or null for other paths.
 */
export function parseArtifactTarget(path: string): (ArtifactTarget & { experimentId: string }) | null {
  const segments = path.split("/").filter((s, i, all) => s !== "" || i < all.length - 1);
  const [experimentId, second, third, fourth] = segments;
  if (!experimentId || !second) return null;
  let target: ArtifactTarget;
  let restSegments: string[];
  if (second === "models" && third && fourth === "artifacts") {
    const runId = runOfLoggedModel(third);
    if (!runId) return null;
    target = { runId, base: loggedModelDir(third), rest: "", kind: "model" };
    restSegments = segments.slice(4);
  } else if (third === "artifacts") {
    const runId = parseRunId(second);
    if (!runId) return null;
    target = { runId, base: "", rest: "", kind: "file" };
    restSegments = segments.slice(3);
  } else {
    return null;
  }
  const rest = restSegments.join("/");
  if (rest !== "") {
    try {
      validateArtifactPath(rest);
    } catch (error) {
      throw invalidParameter(`Invalid path: ${(error as Error).message}`);
    }
  }
  return { ...target, rest, experimentId };
}

const joinPath = (base: string, rest: string) => (base && rest ? `${base}/${rest}` : base || rest);

/** The run a target names, checked to exist, to be in the path's experiment and to be the caller's. */
async function targetRun(
  services: Services,
  caller: Caller,
  target: ArtifactTarget & { experimentId: string },
  access: ProjectAccess,
) {
  const row = await services.runs.findRow(target.runId);
  if (!row) throw doesNotExist(`Run with id=${target.runId.replaceAll("-", "")} not found`);
  await services.access.assertRun(caller, target.runId, access, "path");
  const run = await services.runs.get(target.runId);
  const project = await projectOfRun(services, run);
  if (experimentIdOf(project) !== target.experimentId) {
    throw doesNotExist(`Run ${target.runId.replaceAll("-", "")} is not in experiment ${target.experimentId}`);
  }
  return run;
}

/** Direct children of a directory among a run's artifacts, as MLflow's FileInfo list. */
async function listDirectory(services: Services, runId: string, dir: string, hideRecord: boolean) {
  const prefix = dir === "" ? "" : `${dir}/`;
  const artifacts = await services.artifacts.list(runId, prefix || undefined);
  const files = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
  for (const artifact of artifacts) {
    const rest = artifact.path.slice(prefix.length);
    const slash = rest.indexOf("/");
    if (slash < 0) {
      if (hideRecord && rest === LOGGED_MODEL_RECORD) continue;
      files.set(rest, { path: rest, is_dir: false, file_size: artifact.size });
    } else {
      const name = rest.slice(0, slash);
      files.set(name, { path: name, is_dir: true });
    }
  }
  // By code point, as Python sorts (the MLflow client sorts listings the same way).
  return [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export { listDirectory as listArtifactDirectory };

export async function handleMlflowArtifactRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: { services: Services; log: Logger; caller: Caller; prefix: string },
): Promise<void> {
  const { services } = ctx;
  // The raw path: URL parsing would resolve "%2E%2E" segments before they can be refused.
  const rawPath = (req.url ?? "").split("?")[0] ?? "";
  const sub = rawPath.slice(ctx.prefix.length);
  if (sub === "artifacts" || sub === "artifacts/") {
    if (req.method !== "GET")
      throw new MlflowError("ENDPOINT_NOT_FOUND", `No endpoint ${req.method} ${url.pathname}`);
    const listed = url.searchParams.get("path") ?? "";
    const target = parseArtifactTarget(listed);
    if (!target) return sendMlflowJson(res, 200, {});
    await targetRun(services, ctx.caller, target, "read");
    const files = await listDirectory(
      services,
      target.runId,
      joinPath(target.base, target.rest),
      target.rest === "" && target.base !== "",
    );
    return sendMlflowJson(res, 200, files.length > 0 ? { files } : {});
  }
  if (!sub.startsWith("artifacts/")) {
    throw new MlflowError(
      "ENDPOINT_NOT_FOUND",
      `No endpoint ${req.method} ${url.pathname} (multipart uploads are not supported)`,
    );
  }
  const target = parseArtifactTarget(decodePath(sub.slice("artifacts/".length)));
  if (!target) throw doesNotExist(`No artifact root in path '${sub.slice("artifacts/".length)}'`);
  const writes = req.method === "PUT" || req.method === "DELETE";
  const run = await targetRun(services, ctx.caller, target, writes ? "write" : "read");
  const path = joinPath(target.base, target.rest);
  if (req.method === "PUT") {
    if (target.rest === "" || (target.base !== "" && target.rest === LOGGED_MODEL_RECORD)) {
      throw invalidParameter(`Invalid path: '${target.rest}' cannot be written`);
    }
    assertActive(run);
    await services.artifacts.upload({
      runId: run.id,
      path,
      kind: target.kind,
      contentType: req.headers["content-type"] ?? null,
      body: req,
      uploader: { tokenId: ctx.caller.tokenId, scope: ctx.caller.scope },
    });
    return sendMlflowJson(res, 200, {});
  }
  if (req.method === "GET" || req.method === "HEAD") {
    const artifact = await services.artifacts.find(run.id, path);
    if (!artifact) throw doesNotExist(`Artifact '${target.rest}' does not exist`);
    res.writeHead(200, artifactDownloadHeaders(artifact));
    if (req.method === "HEAD") return void res.end();
    sendStream(res, services.artifacts.blobs.read(artifact.sha256), ctx.log, { artifact: path });
    return;
  }
  if (req.method === "DELETE") {
    assertActive(run);
    await services.artifacts.remove(run.id, path);
    return sendMlflowJson(res, 200, {});
  }
  throw new MlflowError("ENDPOINT_NOT_FOUND", `No endpoint ${req.method} ${url.pathname}`);
}
