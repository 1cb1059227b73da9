import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile, rm } from "node:fs/promises";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createS3Client } from "@labtrack/s3";
import { callProcedure, dataOf } from "../src/test-support/test-server.ts";
import { type ApiProcess, startApiProcess } from "./api-process.ts";
import { fmt } from "./stats.ts";

const MiB = 1024 * 1024;
/** `BENCH_ARTIFACT_MIB` changes the file's size (256 MiB by default). */
const FILE_BYTES = Number(process.env.BENCH_ARTIFACT_MIB ?? 256) * MiB;

/** A file of random bytes on disk (written in 8 MiB pieces) and its sha256. */
async function randomFile(bytes: number): Promise<{ file: string; sha256: string }> {
  const file = path.join(os.tmpdir(), `labtrack-bench-artifact-${process.pid}-${Date.now()}.bin`);
  const hash = createHash("sha256");
  const handle = await open(file, "w");
  for (let written = 0; written < bytes; written += 8 * MiB) {
    const piece = randomBytes(Math.min(8 * MiB, bytes - written));
    hash.update(piece);
    await handle.write(piece);
  }
  await handle.close();
  return { file, sha256: hash.digest("hex") };
}

/** The process and its descendants (the tsx CLI runs the server in a child process). */
async function processTree(pid: number): Promise<number[]> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  const nested = await Promise.all(
    children
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((c) => processTree(Number(c))),
  );
  return [pid, ...nested.flat()];
}

/** The largest peak resident memory (Linux VmHWM) among the API's processes, in MiB. */
async function peakRssMiB(pid: number): Promise<number> {
  let peak = 0;
  for (const member of await processTree(pid)) {
    const status = await readFile(`/proc/${member}/status`, "utf8").catch(() => "");
    peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  }
  return peak;
}

function request(url: string, init: http.RequestOptions, body?: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, init, resolve);
    req.on("error", reject);
    if (body) pipeline(createReadStream(body), req).catch(reject);
    else req.end();
  });
}

async function measure(api: ApiProcess, file: { file: string; sha256: string }, label: string) {
  const created = await callProcedure(api, api.adminToken, "runs.create", { project: "bench-artifacts" });
  const runId = dataOf<{ id: string }>(created).id;
  const url = `${api.url}/api/artifacts/${runId}/checkpoints/bench.bin?kind=checkpoint`;
  const auth = { authorization: `Bearer ${api.adminToken}` };
  const rssBefore = await peakRssMiB(api.pid);

  let started = performance.now();
  const put = await request(
    url,
    { method: "PUT", headers: { ...auth, "content-length": FILE_BYTES } },
    file.file,
  );
  let answer = "";
  for await (const chunk of put) answer += chunk;
  const uploadS = (performance.now() - started) / 1000;
  if (put.statusCode !== 201) throw new Error(`${label} upload: HTTP ${put.statusCode} ${answer}`);
  if ((JSON.parse(answer) as { sha256: string }).sha256 !== file.sha256)
    throw new Error(`${label}: wrong sha256`);

  started = performance.now();
  const get = await request(url, { headers: auth });
  const hash = createHash("sha256");
  for await (const chunk of get) hash.update(chunk as Buffer);
  const downloadS = (performance.now() - started) / 1000;
  if (hash.digest("hex") !== file.sha256) throw new Error(`${label} download: the bytes differ`);

  const rssPeak = await peakRssMiB(api.pid);
  return `${label}: upload ${fmt(FILE_BYTES / MiB / uploadS)} MB/s, download ${fmt(FILE_BYTES / MiB / downloadS)} MB/s (API peak RSS ${fmt(rssBefore)} -> ${fmt(rssPeak)} MiB)`;
}

/** The same file straight to s3rver and back with the SDK, no API: what the server itself manages. */
async function measureDirect(endpoint: string, file: { file: string; sha256: string }): Promise<string> {
  const client = createS3Client({
    endpoint,
    region: "us-east-1",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
  });
  try {
    let started = performance.now();
    const params = { Bucket: "labtrack-bench", Key: "direct/bench.bin", Body: createReadStream(file.file) };
    await new Upload({ client, params, partSize: 8 * MiB, queueSize: 4 }).done();
    const uploadS = (performance.now() - started) / 1000;
    started = performance.now();
    const got = await client.send(
      new GetObjectCommand({ Bucket: "labtrack-bench", Key: "direct/bench.bin" }),
    );
    const hash = createHash("sha256");
    for await (const chunk of got.Body as AsyncIterable<Buffer>) hash.update(chunk);
    const downloadS = (performance.now() - started) / 1000;
    if (hash.digest("hex") !== file.sha256) throw new Error("s3rver direct: the bytes differ");
    return `s3rver alone (SDK multipart upload / GetObject, no API): upload ${fmt(FILE_BYTES / MiB / uploadS)} MB/s, download ${fmt(FILE_BYTES / MiB / downloadS)} MB/s`;
  } finally {
    client.destroy();
  }
}

/** s3rver in its own process, so it competes with the API, not with the load generator. */
async function startS3rverProcess(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const require = createRequire(import.meta.url);
  const main = require.resolve("@labtrack/s3/test-server-main");
  const tsx = require.resolve("tsx");
  const child: ChildProcess = spawn(process.execPath, ["--import", tsx, main, "labtrack-bench"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const found = /endpoint (\S+)/.exec(out);
      if (found?.[1]) resolve(found[1]);
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  return {
    endpoint,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * One 256 MiB artifact through `PUT`/`GET /api/artifacts/…` on the local folder store, then on
 * the S3 store against s3rver on loopback (each the API in its own process).
 */
export async function benchArtifactThroughput(localApi: ApiProcess, databaseUrl: string): Promise<string[]> {
  const lines = [`artifact upload/download, one ${FILE_BYTES / MiB} MiB file (MB/s = MiB/s):`];
  const local = await randomFile(FILE_BYTES);
  try {
    lines.push(`  ${await measure(localApi, local, "local folder")}`);
  } finally {
    await rm(local.file, { force: true });
  }
  const s3 = await startS3rverProcess();
  const s3Api = await startApiProcess(databaseUrl, {
    LABTRACK_ARTIFACT_STORE: "s3://labtrack-bench/artifacts",
    LABTRACK_S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
  });
  const remote = await randomFile(FILE_BYTES);
  try {
    lines.push(`  ${await measure(s3Api, remote, "S3 store (s3rver on loopback)")}`);
    lines.push(`  ${await measureDirect(s3.endpoint, remote)}`);
  } finally {
    await rm(remote.file, { force: true });
    await s3Api.stop();
    await s3.stop();
  }
  return lines;
}
