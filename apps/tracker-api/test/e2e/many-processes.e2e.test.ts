import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { AppRouter } from "../../src/root.ts";
import { CLUSTER_DUTIES_LOCK } from "../../src/services/cluster-duties.ts";
import {
  callProcedure,
  createScratchPostgres,
  DB_KINDS,
  dataOf,
  testDatabaseUrl,
} from "../../src/test-support/test-server.ts";
import { exitOf, freePort, startApi } from "./api-process.ts";

const ADMIN = "many-processes-admin-0123456789";
const PROJECT = "many-processes";
const STEPS = 60;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Api {
  url: string;
  child: ChildProcess;
  alive: boolean;
}

/** Three API processes on one Postgres database, as behind a load balancer. */
describe.each(DB_KINDS.filter((kind) => kind === "postgres"))(
  "three API processes on one %s database",
  () => {
    const apis: Api[] = [];
    const dataDirs: string[] = [];
    let scratch: { url: string; drop: () => Promise<void> };
    let admin: postgres.Sql;

    /** Calls a procedure on the `preferred` process, or the next live one when a process is gone. */
    async function call<T>(
      preferred: number,
      procedure: string,
      input: unknown,
      method: "query" | "mutation" = "mutation",
    ) {
      let last = "";
      for (let attempt = 0; ; attempt++) {
        const api = apis[(preferred + attempt) % apis.length]!;
        if (api.alive) {
          try {
            const response = await callProcedure(api, ADMIN, procedure, input, method);
            if (response.status < 500) return dataOf<T>(response);
            last = `HTTP ${response.status}`;
          } catch (error) {
            // connection refused or reset (that process was just killed), or a 4xx: shown below
            last = String(error);
          }
        }
        if (attempt > 30) throw new Error(`${procedure} failed on every process: ${last}`);
        await sleep(50);
      }
    }

    beforeAll(async () => {
      scratch = await createScratchPostgres(testDatabaseUrl ?? "");
      admin = postgres(scratch.url, { max: 1, onnotice: () => {} });
      const started = await Promise.all(
        [0, 1, 2].map(async () => {
          const dataDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-many-"));
          dataDirs.push(dataDir);
          const port = await freePort();
          const { child } = await startApi({
            DATABASE_URL: scratch.url,
            LABTRACK_PORT: String(port),
            LABTRACK_ADMIN_TOKEN: ADMIN,
            LABTRACK_DATA_DIR: dataDir,
            LABTRACK_LEASE_MS: "5000",
            LABTRACK_REAPER_INTERVAL_MS: "200",
          });
          return { url: `http://127.0.0.1:${port}`, child, alive: true };
        }),
      );
      apis.push(...started);
    }, 180_000);
    afterAll(async () => {
      await Promise.all(
        apis
          .filter((a) => a.alive)
          .map(async (a) => {
            const exited = exitOf(a.child);
            a.child.kill("SIGTERM");
            await exited;
          }),
      );
      await admin?.end();
      await scratch?.drop();
      for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
    });

    /**
     * The process holding the once-per-cluster lock of this database (advisory locks are per
     * database; other suites' servers on the same Postgres hold theirs), by the pid in its
     * connections' application_name.
     */
    async function dutiesHolder(): Promise<number | null> {
      const rows = await admin<{ name: string }[]>`
      SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.objid = ${CLUSTER_DUTIES_LOCK} AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
      const pid = Number(rows[0]?.name.match(/pid (\d+)$/)?.[1]);
      const index = apis.findIndex((a) => a.child.pid === pid);
      return index < 0 ? null : index;
    }

    it("sends every event to every subscriber exactly once and claims every run once, with one process killed mid-stream", async () => {
      // A live subscriber on each process; the one on the killed process reconnects to the next live one.
      const seen: { id: number; kind: string }[][] = [[], [], []];
      const clients = [0, 1, 2].map((i) => {
        let target = i;
        const ws = createWSClient({
          url: () => {
            while (!apis[target]!.alive) target = (target + 1) % apis.length;
            return `${apis[target]!.url.replace(/^http/, "ws")}/trpc`;
          },
          WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
          connectionParams: { token: ADMIN },
          retryDelayMs: () => 100,
        });
        const trpc = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
        trpc.live.runs.subscribe(
          { project: PROJECT },
          { onData: (tracked) => seen[i]!.push({ id: Number(tracked.id), kind: tracked.data.kind }) },
        );
        return ws;
      });
      // Subscribers get what is committed once they are subscribed: from the first event all three
      // received, each must receive everything.
      for (let i = 0; i < 40 && !seen.every((s) => s.length > 0); i++) {
        await call(0, "runs.create", { project: PROJECT, name: `marker-${i}` });
        await sleep(250);
      }
      const firstId = Math.max(...seen.map((s) => s[0]?.id ?? Number.POSITIVE_INFINITY));
      expect(firstId).toBeLessThan(Number.POSITIVE_INFINITY);

      // Runners, one per process, claim and finish queued runs; runs are queued through all three.
      let queuing = true;
      const runners = [0, 1, 2].map(async (i) => {
        const { runnerId } = await call<{ runnerId: string }>(i, "runners.register", {
          name: `runner-${i}`,
          queues: ["many"],
          capabilities: {
            hostname: `h${i}`,
            gpus: [],
            backends: ["cpu"],
            cpus: 2,
            memoryMb: 4096,
            labels: [],
          },
          slots: [{ index: 0, gpuIndices: [] }],
        });
        for (;;) {
          const run = await call<{ id: string } | null>(i, "runners.claim", {
            runnerId,
            slot: 0,
            waitMs: 1_000,
          });
          if (run) await call(i, "runners.report", { runnerId, runId: run.id, outcome: "succeeded" });
          else if (!queuing) return;
        }
      });
      const writers = [0, 1, 2].map(async (i) => {
        const run = await call<{ id: string }>(i, "runs.create", { project: PROJECT, name: `writer-${i}` });
        for (let step = 0; step < STEPS; step++) {
          await call(i, "metrics.log", {
            runId: run.id,
            points: [{ key: "loss", step, value: 1 / (step + 1) }],
          });
          if (step % 5 === 0)
            await call(i, "logs.append", { runId: run.id, lines: [{ text: `step ${step}`, seq: step }] });
          if (step % 8 === 0) {
            await call(i, "queue.enqueue", {
              project: PROJECT,
              queue: "many",
              spec: { kind: "command", command: "true" },
            });
          }
          await sleep(20);
        }
        return run.id;
      });
      // Mid-stream, the process doing the once-per-cluster work dies without a word.
      await expect.poll(() => seen[0]!.length, { timeout: 30_000 }).toBeGreaterThan(STEPS);
      const killed = (await dutiesHolder()) ?? 1;
      apis[killed]!.alive = false;
      const gone = exitOf(apis[killed]!.child);
      apis[killed]!.child.kill("SIGKILL");
      await gone;
      const killedAt = Date.now();
      // Until Postgres notices the dead session, the lock may still show as the killed process's.
      const takenOver = async () => {
        const holder = await dutiesHolder();
        return holder !== null && holder !== killed;
      };
      await expect.poll(takenOver, { timeout: 5_000, interval: 50 }).toBe(true);
      expect(Date.now() - killedAt).toBeLessThan(5_000);

      const writerRuns = await Promise.all(writers);
      // (An enqueue whose answer was lost with the killed process is sent again: count what is stored.)
      const enqueued = (await admin`SELECT count(*)::int AS n FROM runs WHERE queue = 'many'`)[0]!
        .n as number;
      expect(enqueued).toBeGreaterThanOrEqual(3 * Math.ceil(STEPS / 8));
      const succeeded = async () =>
        (await admin`SELECT count(*)::int AS n FROM runs WHERE status = 'succeeded' AND queue = 'many'`)[0]!
          .n;
      await expect.poll(succeeded, { timeout: 60_000 }).toBe(enqueued);
      queuing = false;
      await Promise.all(runners);

      // Nothing lost: every point stored, each subscriber got every event after the marker, once, in order.
      const points =
        await admin`SELECT run_id::text AS run, count(*)::int AS n FROM metric_points GROUP BY run_id`;
      expect(Object.fromEntries(points.map((r) => [r.run, r.n]))).toEqual(
        Object.fromEntries(writerRuns.map((id) => [id, STEPS])),
      );
      const stored = (
        await admin`SELECT id FROM live_events WHERE project = ${PROJECT} AND id >= ${firstId} ORDER BY id`
      ).map((r) => Number(r.id));
      for (const [i, events] of seen.entries()) {
        await expect
          .poll(() => events.at(-1)?.id, { timeout: 10_000, message: `subscriber ${i}` })
          .toBe(stored.at(-1));
        const ids = events.map((e) => e.id).filter((id) => id >= firstId);
        expect(ids, `subscriber ${i}`).toEqual(stored);
      }
      // Every queued run was claimed exactly once (one `running` transition each).
      const claims = await admin`
      SELECT r.id, count(e.*)::int AS n FROM runs r JOIN run_events e ON e.run_id = r.id AND e.to_status = 'running'
      WHERE r.queue = 'many' GROUP BY r.id`;
      expect(claims).toHaveLength(enqueued);
      expect(claims.every((c) => c.n === 1)).toBe(true);
      for (const ws of clients) await ws.close();
    }, 240_000);
  },
);
