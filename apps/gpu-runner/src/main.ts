import pino from "pino";
import { startRunnerAgent } from "./agent/runner-agent.ts";
import { readRunnerConfig } from "./env.ts";

/** Composition root of the runner: read the configuration, start the agent, stop it on SIGTERM. */
async function main() {
  const config = readRunnerConfig();
  const log = pino({ level: config.logLevel, base: { app: "gpu-runner", runner: config.name } });
  const agent = await startRunnerAgent(config, log);
  process.stdout.write(
    `gpu-runner ${agent.name} serving ${agent.slots.length} slot(s) for ${config.url} (queues: ${config.queues.join(", ")})\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // A second signal: do not wait for the grace period.
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    agent.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `gpu-runner failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
