import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { checkBridgeTemplates, TemplateError } from "@labtrack/core";
import { type AmqpBridgeConfig, amqpBridgeConfig } from "@labtrack/schemas";
import { pino } from "pino";
import { parse as parseYaml } from "yaml";
import { startAmqpBridge } from "../bridge/amqp/amqp-bridge.ts";
import { type CliIo, serverAccess, UsageError } from "./cli-context.ts";

/** Reads and checks a bridge.yaml; every problem names its field. */
export function bridgeConfigFrom(text: string, file: string, env: CliIo["env"]): AmqpBridgeConfig {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new UsageError(`${file}: not YAML (${(error as Error).message})`);
  }
  const parsed = amqpBridgeConfig.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new UsageError(`${file} is not a valid bridge config:\n  ${problems.join("\n  ")}`);
  }
  const config = parsed.data;
  // The broker's password belongs in the environment rather than in the file.
  if (env.LABTRACK_AMQP_URL) config.amqp.url = env.LABTRACK_AMQP_URL;
  try {
    checkBridgeTemplates(config);
  } catch (error) {
    if (error instanceof TemplateError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  return config;
}

/** `labtrack bridge amqp <bridge.yaml>`: runs until SIGINT or SIGTERM. */
export async function bridgeAmqp(args: string[], io: CliIo): Promise<void> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError("bridge.yaml: give exactly one bridge config file");
  const text = await readFile(path.resolve(io.cwd, file), "utf8").catch((error: Error) => {
    throw new UsageError(`bridge.yaml: cannot read ${file} (${error.message})`);
  });
  const config = bridgeConfigFrom(text, file, io.env);
  const logger = pino({ name: "labtrack-bridge", level: io.env.LABTRACK_LOG_LEVEL ?? "info" });
  const bridge = await startAmqpBridge({ config, labtrack: serverAccess(io), logger });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, "amqp bridge stopping");
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await bridge.stop();
}
