import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
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
