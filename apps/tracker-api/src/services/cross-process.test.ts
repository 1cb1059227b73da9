import { runnersRegisterInput } from "@labtrack/schemas";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectLiveEvents as collect } from "../test-support/live-subscriber.ts";
import { DB_KINDS, startTestServer, type TestServer } from "../test-support/test-server.ts";
import { CLUSTER_DUTIES_LOCK } from "./cluster-duties.ts";

const command = { kind: "command", command: "true", env: {} } as const;

describe.each(DB_KINDS.filter((kind) => kind === "postgres"))(
  "two API processes on one %s database",
  (kind) => {
    let first: TestServer;
    let second: TestServer;
    const queueSettings = { leaseMs: 2_000, heartbeatMs: 500, reaperIntervalMs: 100 };
    const enqueue = (server: TestServer, queue: string) =>
      server.services.queue.enqueue(
        {
          project: "cross",
          tags: [],
          config: {},
          spec: command,
          queue,
          priority: 0,
          requirements: { gpus: 0, labels: [] },
          maxAttempts: 3,
        },
        "test",
      );
    const register = async (server: TestServer, name: string, queue: string) => {
      const input = runnersRegisterInput.parse({
        name,
        queues: [queue],
        capabilities: { hostname: "h", gpus: [], backends: ["cpu"], cpus: 2, memoryMb: 4096, labels: [] },
        slots: [{ index: 0, gpuIndices: [] }],
      });
      return (await server.services.runners.register(input, { tokenId: null, scope: "admin" })).runnerId;
    };

    beforeAll(async () => {
      first = await startTestServer(kind, { queueSettings });
      second = await startTestServer(kind, { databaseUrl: first.databaseUrl, queueSettings });
    });
    afterAll(async () => {
      await second.close();
      await first.close();
    });

    it("delivers what is written through one process to subscribers of the other, who resume there with its ids", async () => {
      const run = await first.services.runs.create({ project: "cross", tags: [], config: {} }, "test");
      const onFirst = collect(first.services.bus, { runIds: new Set([run.id]) });
      const onSecond = collect(second.services.bus, { runIds: new Set([run.id]) });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await first.services.metrics.log(run.id, [{ key: "loss", step: 0, value: 1 }]);
      await second.services.logs.append(run.id, [{ stream: "stdout", text: "through the second" }]);
      await first.services.runs.finish({ runId: run.id, status: "succeeded" }, "test");
      const kinds = ["metric", "log", "status"];
      await expect.poll(() => onSecond.seen.map((s) => s.event.kind)).toEqual(kinds);
      await expect.poll(() => onFirst.seen.map((s) => s.event.kind)).toEqual(kinds);
      onFirst.stop();
      onSecond.stop();
      expect(onSecond.seen.map((s) => s.id)).toEqual(onFirst.seen.map((s) => s.id));
      // A browser that saw the first event on `first` reconnects to `second`: the other two, once.
      const resumed = collect(second.services.bus, { runIds: new Set([run.id]) }, onFirst.seen[0]!.id);
      await expect.poll(() => resumed.seen.map((s) => s.id)).toEqual(onFirst.seen.slice(1).map((s) => s.id));
      resumed.stop();
    });

    it("delivers small events from the NOTIFY and large ones from the table, in order, once each, across a dropped listening connection", async () => {
      const run = await first.services.runs.create({ project: "cross", tags: [], config: {} }, "test");
      const onSecond = collect(second.services.bus, { runIds: new Set([run.id]) });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const large = [{ stream: "stdout" as const, text: "x".repeat(20_000) }];
      const admin = postgres(first.databaseUrl!, { max: 1, onnotice: () => {} });
      try {
        for (let step = 0; step < 10; step++) {
          await first.services.metrics.log(run.id, [{ key: "loss", step, value: step }]);
          if (step === 3) await first.services.logs.append(run.id, large);
          // Both processes' listening connections drop; what is written meanwhile is read on reconnecting.
          if (step === 5) {
            const dropped = await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = current_database() AND query ILIKE 'listen %'`;
            expect(dropped.length).toBeGreaterThan(0);
          }
        }
      } finally {
        await admin.end();
      }
      const expected = ["0", "1", "2", "3", "log", "4", "5", "6", "7", "8", "9"];
      const seenAs = () =>
        onSecond.seen.map((s) =>
          s.event.kind === "metric" ? String(s.event.series[0]?.steps[0]) : s.event.kind,
        );
      await expect.poll(seenAs, { timeout: 15_000 }).toEqual(expected);
      await new Promise((resolve) => setTimeout(resolve, 300));
      onSecond.stop();
      expect(seenAs()).toEqual(expected);
      const ids = onSecond.seen.map((s) => Number(s.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it("wakes a claim long-polling on one process as soon as a run is queued on the other", async () => {
      const runnerId = await register(second, "cross-runner", "cross-wake");
      const waits: number[] = [];
      for (let i = 0; i < 5; i++) {
        const claiming = second.services.runners.claim({ runnerId, slot: 0, waitMs: 5_000 });
        await new Promise((resolve) => setTimeout(resolve, 150));
        const queuedAt = performance.now();
        const queued = await enqueue(first, "cross-wake");
        const claimed = await claiming;
        waits.push(performance.now() - queuedAt);
        expect(claimed?.id).toBe(queued.id);
        await second.services.runners.report({ runnerId, runId: queued.id, outcome: "succeeded" });
      }
      // Without the NOTIFY the claim looks again a second after it began: about 850 ms after the enqueue.
      const median = [...waits].sort((x, y) => x - y)[2]!;
      expect(median, `waits: ${waits.map(Math.round).join(", ")} ms`).toBeLessThan(600);
    });

    it("does the once-per-cluster work in one process, and in the other once that one's connection is gone", async () => {
      const holders = () => [first, second].filter((s) => s.duties.held);
      await expect.poll(holders, { timeout: 5_000 }).toHaveLength(1);
      const other = holders()[0] === first ? second : first;
      // A run whose runner vanished is recovered once, by whichever process holds the duties.
      const runnerId = await register(other, "vanishing-runner", "cross-reap");
      const queued = await enqueue(other, "cross-reap");
      expect((await other.services.runners.claim({ runnerId, slot: 0, waitMs: 0 }))?.id).toBe(queued.id);
      // (Advisory locks are per database: other suites' servers on the same Postgres hold theirs.)
      // The holder's session ends (its connection dropped): Postgres frees the lock and one process,
      // whichever tries first, holds it again within an interval.
      const admin = postgres(first.databaseUrl!, { max: 1, onnotice: () => {} });
      await admin`SELECT pg_terminate_backend(pid) FROM pg_locks
      WHERE locktype = 'advisory' AND objid = ${CLUSTER_DUTIES_LOCK} AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
      await admin.end();
      // Until the old holder's next tick finds its connection gone, both may say they hold it (the
      // old one does no work then: a tick checks the lock is alive before it reaps): wait for one.
      await expect.poll(holders, { timeout: 10_000, interval: 20 }).toHaveLength(1);
      // The holder stops: the other takes over.
      const stopping = holders()[0]!;
      await stopping.duties.stop();
      const taker = stopping === first ? second : first;
      await expect.poll(() => taker.duties.held, { timeout: 1_000, interval: 20 }).toBe(true);
      await expect
        .poll(async () => (await other.services.runs.get(queued.id)).status, { timeout: 10_000 })
        .toBe("queued");
      const events = await other.database.query<{ to_status: string }>(
        sql`SELECT to_status FROM run_events WHERE run_id = ${queued.id}::uuid ORDER BY id`,
      );
      expect(events.map((e) => e.to_status)).toEqual(["queued", "running", "lost", "queued"]);
    });
  },
);
