import type { LiveEvent } from "@labtrack/schemas";
import { createClient, createTrpcClient } from "@labtrack/sdk";
import { DB_KINDS, type DbKind, startTestServer } from "@labtrack/tracker-api/test-support";
import { api, runnerToken, spawnRunner, stopRunner, waitFor } from "../test/e2e/harness.ts";

/**
 * Queue benchmarks: queued-to-running latency with a free runner, claim throughput with 10,000
 * queued runs and 8 runner connections (none claimed twice), and live latency from a runner's
 * metric line to a `live.runs` subscriber. `tsx bench/queue.ts claims` runs the claims alone.
 */

const print = (line: string) => process.stdout.write(`${line}\n`);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (v: number) => `${v.toFixed(1)} ms`;
const command = { kind: "command", command: "true", env: {} } as const;
const queueSettings = { leaseMs: 30_000, heartbeatMs: 1_000, reaperIntervalMs: 1_000 };

async function queuedToRunning(kind: DbKind): Promise<{ p50: number; p95: number }> {
  const server = await startTestServer(kind, { queueSettings });
  const runner = spawnRunner(server.url, await runnerToken(server), "latency", {
    LABTRACK_RUNNER_CLAIM_WAIT_MS: "20000",
  });
  try {
    const client = api(server);
    const latencies: number[] = [];
    for (let i = 0; i < 31; i++) {
      const run = await client.enqueue({ spec: command });
      await waitFor(
        "the run to finish",
        async () => (await client.run(run.id)).status === "succeeded",
        30_000,
        20,
      );
      const events = await client.events(run.id);
      const queuedAt = Date.parse(events.find((e) => e.to === "queued")?.at ?? "");
      const runningAt = Date.parse(events.find((e) => e.to === "running")?.at ?? "");
      // The first run also waits for the runner to start.
      if (i > 0) latencies.push(runningAt - queuedAt);
    }
    return { p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
  } finally {
    await stopRunner(runner);
    await server.close();
  }
}

const CLAIM_RUNS = 10_000;

async function claimThroughput(
  kind: DbKind,
): Promise<{ perSecond: number; claimed: number; unique: number }> {
  // No heartbeats here: a lease long enough that the reaper never hands a claimed run back.
  const server = await startTestServer(kind, { queueSettings: { ...queueSettings, leaseMs: 3_600_000 } });
  const token = await runnerToken(server);
  // Queued 8 at a time (through the same enqueue as the API), so setting up takes seconds, not minutes.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < CLAIM_RUNS; i = next++) {
        await server.services.queue.enqueue(
          {
            project: "bench",
            tags: [],
            config: {},
            spec: command,
            queue: "default",
            priority: i % 3,
            requirements: { gpus: 0, labels: [] },
            maxAttempts: 3,
          },
          "bench",
        );
      }
    }),
  );
  const connections = Array.from({ length: 8 }, () =>
    createTrpcClient({ url: server.url, token, transport: "websocket" }),
  );
  try {
    const ids = await Promise.all(
      connections.map((c, i) =>
        c.trpc.runners.register.mutate({
          name: `claimer-${i}`,
          capabilities: { hostname: "bench", gpus: [], backends: ["cpu"], cpus: 1, memoryMb: 1 },
          slots: [{ index: 0, gpuIndices: [] }],
        }),
      ),
    );
    const claimed: string[] = [];
    const started = performance.now();
    await Promise.all(
      connections.map(async (c, i) => {
        for (;;) {
          const run = await c.trpc.runners.claim.mutate({ runnerId: ids[i]!.runnerId, slot: 0, waitMs: 0 });
          if (!run) return;
          claimed.push(run.id);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: claimed.length / seconds, claimed: claimed.length, unique: new Set(claimed).size };
  } finally {
    await Promise.all(connections.map((c) => c.close()));
    await server.close();
  }
}

async function liveLatency(kind: DbKind): Promise<{ p50: number; p99: number; points: number }> {
  const server = await startTestServer(kind, { queueSettings });
  const runner = spawnRunner(server.url, await runnerToken(server), "live");
  const viewer = createClient({ url: server.url, token: server.adminToken });
  const points = 300;
  try {
    const client = api(server);
    // Each point's value is the wall time (ms) at which the command printed it.
    const script = `let i = 0; const t = setInterval(() => { console.log("@labtrack step=" + i + " sent_at=" + Date.now()); if (++i === ${points}) clearInterval(t); }, 10);`;
    const latencies: number[] = [];
    let unsubscribe = () => {};
    const run = await client.enqueue({
      spec: { kind: "command", command: [process.execPath, "-e", script] },
    });
    unsubscribe = viewer.subscribe(
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
      async () => (await client.run(run.id)).status === "succeeded",
      60_000,
      50,
    );
    await waitFor("every point to arrive live", async () => latencies.length >= points, 10_000, 20);
    unsubscribe();
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), points: latencies.length };
  } finally {
    await viewer.close();
    await stopRunner(runner);
    await server.close();
  }
}

const claimsOnly = process.argv[2] === "claims";
// Alone, the claims are measured where the target is set: on Postgres (when TEST_DATABASE_URL names one).
const kinds = claimsOnly && DB_KINDS.includes("postgres") ? (["postgres"] as const) : DB_KINDS;
for (const kind of kinds) {
  print(`queue on ${kind}:`);
  if (!claimsOnly) {
    const latency = await queuedToRunning(kind);
    print(
      `  queued -> running, free runner: p50 ${ms(latency.p50)}, p95 ${ms(latency.p95)} ` +
        `(target: within 1 s: ${latency.p95 < 1000 ? "met" : "NOT met"})`,
    );
  }
  const claims = await claimThroughput(kind);
  if (claims.unique !== claims.claimed || claims.claimed !== CLAIM_RUNS) {
    throw new Error(
      `claimed ${claims.claimed} runs, ${claims.unique} distinct: a run was claimed twice or lost`,
    );
  }
  const target =
    kind === "postgres" ? ` (target >= 500: ${claims.perSecond >= 500 ? "met" : "NOT met"})` : "";
  print(
    `  claims: ${claims.perSecond.toFixed(0)} claims/s, 10,000 queued runs, 8 runner connections, none claimed twice${target}`,
  );
  if (claimsOnly) continue;
  const live = await liveLatency(kind);
  print(
    `  live latency, runner metric line -> live.runs subscriber (${live.points} points): p50 ${ms(live.p50)}, ` +
      `p99 ${ms(live.p99)} (target p99 < 50 ms: ${live.p99 < 50 ? "met" : "NOT met"})`,
  );
}
process.exit(0);
