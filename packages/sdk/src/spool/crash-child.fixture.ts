// A training script that logs through an outage and is then killed (see client-spool.test.ts).
import { createClient } from "../client.ts";

const env = process.env;
const client = createClient({
  url: env.LABTRACK_URL ?? "",
  token: env.LABTRACK_TOKEN ?? "",
  spoolDir: env.LABTRACK_SPOOL_DIR,
  flushIntervalMs: 20,
  spoolAfterMs: 0,
});
const run = await client.attachRun(env.LABTRACK_RUN_ID ?? "");
const steps = Number(env.STEPS);
for (let step = 0; step < steps; step++) run.log({ loss: 1 / (step + 1) }, { step });
while (run.stats.onDisk < steps) await new Promise((resolve) => setTimeout(resolve, 10));
process.stdout.write(`spooled ${run.stats.onDisk}\n`);
// Waits to be killed, as a crashed trainer never gets to flush.
setInterval(() => {}, 1_000);
