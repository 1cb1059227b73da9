import { createScratchPostgres } from "../src/test-support/test-server.ts";
import { startApiProcess } from "./api-process.ts";
import { benchIngest } from "./ingest.ts";
import { benchMlflow } from "./mlflow.ts";
import { benchSeries } from "./series.ts";

/** `pnpm bench` for tracker-api: ingest throughput and series latency against the local Postgres. */
const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";
const only = process.argv[2];

const scratch = await createScratchPostgres(baseUrl);
const api = await startApiProcess(scratch.url);
const lines: string[] = ["", "tracker-api benchmark (local Postgres, API in its own process)"];
try {
  if (!only || only === "ingest") lines.push(...(await benchIngest(api, scratch.url)));
  if (!only || only === "series") lines.push(...(await benchSeries(api)));
  if (!only || only === "mlflow") lines.push(...(await benchMlflow(api)));
} finally {
  await api.stop();
  await scratch.drop();
}
process.stdout.write(`${lines.join("\n")}\n`);
