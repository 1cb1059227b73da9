import { createHash } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DatasetPushResult } from "@labtrack/schemas";
import * as tar from "tar";
import { failure, LabtrackHttpError } from "./artifact-transfer.ts";

/** Every regular file under `root`, as sorted `/`-separated relative paths; hidden entries skipped. */
export async function listDatasetFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .filter((relative) => !relative.split("/").some((segment) => segment.startsWith(".")))
    .sort();
}

/**
 * A tar of the folder's files that depends only on their paths and bytes (sorted, no times or
 * owners), so the same folder always packs to the same sha256 and pushes to the same version.
 */
export async function packDatasetFolder(root: string): Promise<{ stream: Readable; fileCount: number }> {
  const files = await listDatasetFiles(root);
  if (files.length === 0) throw new Error(`folder: ${root} has no files to push`);
  const pack = tar.c({ cwd: root, portable: true, noMtime: true, noDirRecurse: true }, files);
  // tar's streams are minipass streams: wrap one as a Node Readable for fetch and pipeline.
  return { stream: Readable.from(pack as AsyncIterable<Buffer>), fileCount: files.length };
}

const datasetUrl = (base: string, name: string, version?: number | "latest") =>
  `${base.replace(/\/+$/, "")}/api/datasets/${encodeURIComponent(name)}${version === undefined ? "" : `/${version}`}`;

/** Packs `folder` and streams it to `PUT /api/datasets/<name>`; the same content answers its old version. */
export async function pushDataset(opts: {
  url: string;
  token: string;
  name: string;
  folder: string;
}): Promise<DatasetPushResult> {
  const { stream } = await packDatasetFolder(opts.folder);
  const response = await fetch(datasetUrl(opts.url, opts.name), {
    method: "PUT",
    headers: { authorization: `Bearer ${opts.token}`, "content-type": "application/x-tar" },
    body: Readable.toWeb(stream) as unknown as NonNullable<RequestInit["body"]>,
    duplex: "half",
  } as RequestInit);
  if (!response.ok) throw await failure(response);
  return (await response.json()) as DatasetPushResult;
}

/**
 * Downloads a dataset version and extracts it into `dir` (which must exist), checking the bytes
 * against `expectedSha256` when given. Returns the sha256 of what was received.
 */
export async function downloadDatasetTo(opts: {
  url: string;
  token: string;
  name: string;
  version?: number;
  dir: string;
  expectedSha256?: string;
}): Promise<{ sha256: string }> {
  const response = await fetch(datasetUrl(opts.url, opts.name, opts.version ?? "latest"), {
    headers: { authorization: `Bearer ${opts.token}` },
  });
  if (!response.ok || !response.body) throw await failure(response);
  const hash = createHash("sha256");
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const body = Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0]);
  await pipeline(body, meter, tar.x({ cwd: opts.dir, strict: true }));
  const sha256 = hash.digest("hex");
  if (opts.expectedSha256 && sha256 !== opts.expectedSha256) {
    throw new LabtrackHttpError(
      502,
      `dataset ${opts.name}: received bytes hash to ${sha256}, expected ${opts.expectedSha256}`,
    );
  }
  return { sha256 };
}
