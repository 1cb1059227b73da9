import type { LiveEvent } from "@labtrack/schemas";
import { createClient } from "@labtrack/sdk";
import { type ApiProcess, startApiProcess } from "@labtrack/tracker-api/bench-support";
import { callProcedure, createScratchPostgres, dataOf } from "@labtrack/tracker-api/test-support";
import { api, spawnRunner, stopRunner, waitFor } from "../test/e2e/harness.ts";

/**
 * Two tracker-api processes on one Postgres database (as behind a load balancer): live latency
 * from a runner's metric line, written through process A, to a `live.runs` subscriber on process
 * B; and queued -> running for a run queued on A while the runner long-polls B.
 */

const print = (line: string) => process.stdout.write(`${line}\n`);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (v: number) => `${v.toFixed(1)} ms`;
const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

const scratch = await createScratchPostgres(baseUrl);
const [a, b] = await Promise.all([startApiProcess(scratch.url), startApiProcess(scratch.url)]);
const runnerTokenOn = async (server: { url: string; adminToken: string }, name: string) =>
  dataOf<{ token: string }>(
    await callProcedure(server, server.adminToken, "tokens.create", { name, scope: "runner" }),
  ).token;

async function liveLatency(
  viewerOn: ApiProcess,
  name: string,
): Promise<{ p50: number; p99: number; points: number }> {
  const runner = spawnRunner(a.url, await runnerTokenOn(a, name), name);
  const viewer = createClient({ url: viewerOn.url, token: viewerOn.adminToken });
  const points = 300;
  try {
    // Each point's value is the wall time (ms) at which the command printed it.
    const script = `let i = 0; const t = setInterval(() => { process.stdout.write("@labtrack step=" + i + " sent_at=" + Date.now() + "\\n"); if (++i === ${points}) clearInterval(t); }, 10);`;
    const latencies: number[] = [];
    const run = await api(a).enqueue({
      spec: { kind: "command", command: [process.execPath, "-e", script] },
    });
    const unsubscribe = viewer.subscribe(
      { runIds: [run.id], kinds: ["metric"] },
      {
        onEvent: (event: LiveEvent) => {
          const now = Date.now();
          if (event.kind !== "metric") return;
          for (const series of event.series) {
            if (series.key !== "sent_at") continue;
            for (const value of series.values) if (typeof value === "number") latencies.push(now - value);
          }
        },
      },
    );
    await waitFor(
      "the run to finish",
      async () => (await api(a).run(run.id)).status === "succeeded",
      60_000,
      50,
    );
    await waitFor("every point to arrive live", async () => latencies.length >= points, 10_000, 20);
    unsubscribe();
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), points: latencies.length };
  } finally {
    await viewer.close();
    await stopRunner(runner);
  }
}

async function queuedToRunning(): Promise<{ p50: number; p95: number }> {
  const runner = spawnRunner(b.url, await runnerTokenOn(b, "claim-runner"), "cross-claim", {
    LABTRACK_RUNNER_CLAIM_WAIT_MS: "20000",
  });
  try {
    const latencies: number[] = [];
    for (let i = 0; i < 31; i++) {
      const run = await api(a).enqueue({ spec: { kind: "command", command: "true", env: {} } });
      await waitFor(
        "the run to finish",
        async () => (await api(a).run(run.id)).status === "succeeded",
        30_000,
        20,
      );
      const events = await api(a).events(run.id);
      const queuedAt = Date.parse(events.find((e) => e.to === "queued")?.at ?? "");
      const runningAt = Date.parse(events.find((e) => e.to === "running")?.at ?? "");
      // The first run also waits for the runner to start.
      if (i > 0) latencies.push(runningAt - queuedAt);
    }
    return { p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
  } finally {
    await stopRunner(runner);
  }
}

try {
  print("two API processes on one Postgres database:");
  const live = await liveLatency(b, "live-cross");
  print(
    `  live latency, runner metric line via process A -> live.runs subscriber on process B (${live.points} points): ` +
      `p50 ${ms(live.p50)}, p99 ${ms(live.p99)} (target p99 < 50 ms: ${live.p99 < 50 ? "met" : "NOT met"})`,
  );
  // The same with the subscriber on A, under the same load: what crossing processes adds.
  const same = await liveLatency(a, "live-same");
  print(`  the same, subscriber on process A: p50 ${ms(same.p50)}, p99 ${ms(same.p99)}`);
  const claim = await queuedToRunning();
  print(
    `  queued on A -> running on a runner long-polling B: p50 ${ms(claim.p50)}, p95 ${ms(claim.p95)} ` +
      `(target p95 < 50 ms: ${claim.p95 < 50 ? "met" : "NOT met"})`,
  );
} finally {
  await Promise.all([a.stop(), b.stop()]);
  await scratch.drop();
}
process.exit(0);
