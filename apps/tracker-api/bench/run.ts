import { createScratchPostgres } from "../src/test-support/test-server.ts";
import { startApiProcess } from "./api-process.ts";
import { benchArtifactThroughput } from "./artifact-throughput.ts";
import { benchEmbedded } from "./embedded.ts";
import { benchIngest } from "./ingest.ts";
import { benchMlflow } from "./mlflow.ts";
import { benchSeries } from "./series.ts";

/**
 * `pnpm bench` for tracker-api: ingest throughput, series latency and artifact MB/s (local folder
 * and S3 store) against the local Postgres, then the embedded (PGlite) API's memory and ingest;
 * `tsx bench/run.ts ingest|series|mlflow|artifacts|embedded` runs one.
 */
const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";
const only = process.argv[2];

const lines: string[] = [];
if (only !== "embedded") {
  const scratch = await createScratchPostgres(baseUrl);
  const api = await startApiProcess(scratch.url);
  lines.push("", "tracker-api benchmark (local Postgres, API in its own process)");
  try {
    if (!only || only === "ingest") lines.push(...(await benchIngest(api, scratch.url)));
    if (!only || only === "series") lines.push(...(await benchSeries(api)));
    if (!only || only === "mlflow") lines.push(...(await benchMlflow(api)));
    if (!only || only === "artifacts") lines.push(...(await benchArtifactThroughput(api, scratch.url)));
  } finally {
    await api.stop();
    await scratch.drop();
  }
}
if (!only || only === "embedded") {
  lines.push("", "tracker-api benchmark (embedded PGlite, API in its own process)");
  lines.push(...(await benchEmbedded()));
}
process.stdout.write(`${lines.join("\n")}\n`);
