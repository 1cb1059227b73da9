import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connect, type GetMessage } from "amqplib";

/** The RabbitMQ on the development machine. */
export const AMQP_URL = process.env.LABTRACK_TEST_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const LABTRACK_CLI = fileURLToPath(new URL("../../../../packages/sdk/bin/labtrack.mjs", import.meta.url));

/** Queue names no other test uses, and a way to delete them afterwards. */
export function testQueues(label: string) {
  const prefix = `e2e-${label}-${randomBytes(4).toString("hex")}`;
  return {
    input: `${prefix}.ModelTraining`,
    dead: `${prefix}.ModelTraining.dead`,
    output: `${prefix}.ModelEvaluation`,
  };
}

/** A short-lived connection per call, so broker restarts in a test never break the test's client. */
async function withChannel<T>(use: (channel: import("amqplib").Channel) => Promise<T>): Promise<T> {
  const connection = await connect(AMQP_URL);
  try {
    const channel = await connection.createConfirmChannel();
    try {
      return await use(channel);
    } finally {
      await channel.close().catch(() => {});
    }
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Publishes as seed 000's producer does: persistent JSON messages (or raw text); a list is several. */
export async function publishTo(queue: string, body: unknown): Promise<void> {
  await withChannel(async (channel) => {
    await channel.assertQueue(queue, { durable: true });
    for (const one of Array.isArray(body) ? body : [body]) {
      const content = Buffer.from(typeof one === "string" ? one : JSON.stringify(one));
      channel.sendToQueue(queue, content, { persistent: true, contentType: "application/json" });
    }
    await (channel as import("amqplib").ConfirmChannel).waitForConfirms();
  });
}

/** Takes every message waiting in a queue (and acks it). */
export async function takeAll(queue: string): Promise<GetMessage[]> {
  return withChannel(async (channel) => {
    await channel.assertQueue(queue, { durable: true });
    const taken: GetMessage[] = [];
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (message === false) return taken;
      taken.push(message);
    }
  });
}

export async function queueDepth(queue: string): Promise<{ messageCount: number; consumerCount: number }> {
  return withChannel((channel) => channel.checkQueue(queue));
}

export async function deleteQueues(queues: string[]): Promise<void> {
  await withChannel(async (channel) => {
    for (const queue of queues) await channel.deleteQueue(queue);
  });
}

const run = promisify(execFile);

/** Restarts the broker's application (queues and persistent messages stay), as an outage would. */
export async function restartBroker(down: () => Promise<void>): Promise<void> {
  await run("rabbitmqctl", ["stop_app"]);
  try {
    await down();
  } finally {
    await run("rabbitmqctl", ["start_app"]);
    await run("rabbitmqctl", ["await_startup"]);
  }
}

export interface BridgeProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `labtrack bridge amqp <file>` as a user runs it, in its own process. */
export async function spawnBridge(
  dir: string,
  config: unknown,
  labtrack: { url: string; token: string },
  amqpUrl = AMQP_URL,
): Promise<BridgeProcess> {
  const file = path.join(dir, "bridge.yaml");
  await writeFile(file, JSON.stringify(config, null, 2)); // JSON is YAML
  const child = spawn(process.execPath, [LABTRACK_CLI, "bridge", "amqp", "bridge.yaml"], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      LABTRACK_URL: labtrack.url,
      LABTRACK_TOKEN: labtrack.token,
      LABTRACK_AMQP_URL: amqpUrl,
      LABTRACK_LOG_LEVEL: process.env.LABTRACK_TEST_LOG_LEVEL ?? "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function stopBridge(bridge: BridgeProcess, signal: NodeJS.Signals = "SIGTERM") {
  if (bridge.child.exitCode !== null || bridge.child.signalCode !== null) return bridge.exited;
  bridge.child.kill(signal);
  return bridge.exited;
}

/** Stands in for seed 000's trainer: reports per-epoch metrics, then the test-split results. */
export const TRAIN_SCRIPT = `
const arg = (name) => process.argv.find((a) => a.startsWith("--" + name + "="))?.slice(name.length + 3);
const report = (line) => console.log("@labtrack " + JSON.stringify(line));
console.log("training " + arg("batch"));
setTimeout(() => {
  for (let epoch = 1; epoch <= 3; epoch++) report({ step: epoch, epoch, metrics: { "val/accuracy": 0.9 + epoch / 100 } });
  report({ metrics: {}, results: { "test/accuracy": 0.9412, "test/precision": 0.9387, "test/recall": 0.9301,
    "test/f1": 0.9344, training_time_s: 12.5, epochs_run: 3, best_epoch: 2 } });
}, Number(arg("sleep-ms")));
`;

/** Seed 000's message, plus how long the stand-in trainer takes. */
export const seedMessage = (batchId: string, sleepMs = 0) => ({
  batchId,
  totalImages: 9000,
  categories: ["carros", "moedas", "animais"],
  augmentationCount: 9,
  datasetPath: "training/carros/",
  targetClasses: 50,
  createdAt: "2025-11-15T10:00:00Z",
  sleepMs,
});

const LOCK_DIR = path.join(os.tmpdir(), "labtrack-amqp-e2e.lock");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The amqp e2e files restart the one broker of the machine: they take turns (across test files,
 * which vitest runs side by side, and across processes). Resolves to the release.
 */
export async function holdBrokerLock(): Promise<() => Promise<void>> {
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(path.join(LOCK_DIR, "pid"), String(process.pid));
      return () => rm(LOCK_DIR, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(await readFile(path.join(LOCK_DIR, "pid"), "utf8").catch(() => ""));
      const age = Date.now() - ((await stat(LOCK_DIR).catch(() => null))?.mtimeMs ?? Date.now());
      // A holder that died (or never wrote its pid within a minute) leaves the lock to the next.
      if ((holder > 0 && !alive(holder)) || (!holder && age > 60_000)) {
        await rm(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
