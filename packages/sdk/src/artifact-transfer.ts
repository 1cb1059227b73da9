import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import type { Artifact, ArtifactKind } from "@labtrack/schemas";

export class LabtrackHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "LabtrackHttpError";
  }
}

function artifactUrl(base: string, runId: string, path: string): string {
  const encoded = path
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
  return `${base.replace(/\/+$/, "")}/api/artifacts/${runId}/${encoded}`;
}

export async function failure(response: Response): Promise<LabtrackHttpError> {
  const text = await response.text();
  let message = text;
  try {
    message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
  } catch {
    // not JSON: keep the text
  }
  return new LabtrackHttpError(response.status, `${response.status}: ${message}`);
}

/** Streams a file (by path) or a buffer to `PUT /api/artifacts/<runId>/<path>`. */
export async function uploadArtifact(opts: {
  url: string;
  token: string;
  runId: string;
  path: string;
  source: string | Uint8Array;
  kind?: ArtifactKind;
  contentType?: string;
}): Promise<Artifact> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${opts.token}`,
    "content-type": opts.contentType ?? "application/octet-stream",
  };
  let body: NonNullable<RequestInit["body"]>;
  if (typeof opts.source === "string") {
    headers["content-length"] = String((await stat(opts.source)).size);
    body = Readable.toWeb(createReadStream(opts.source)) as unknown as NonNullable<RequestInit["body"]>;
  } else {
    body = opts.source as unknown as NonNullable<RequestInit["body"]>;
  }
  const target = `${artifactUrl(opts.url, opts.runId, opts.path)}?kind=${opts.kind ?? "file"}`;
  const response = await fetch(target, { method: "PUT", headers, body, duplex: "half" } as RequestInit);
  if (!response.ok) throw await failure(response);
  return (await response.json()) as Artifact;
}

/** Downloads an artifact's bytes. */
export async function downloadArtifact(opts: {
  url: string;
  token: string;
  runId: string;
  path: string;
}): Promise<Buffer> {
  const response = await fetch(artifactUrl(opts.url, opts.runId, opts.path), {
    headers: { authorization: `Bearer ${opts.token}` },
  });
  if (!response.ok) throw await failure(response);
  return Buffer.from(await response.arrayBuffer());
}
