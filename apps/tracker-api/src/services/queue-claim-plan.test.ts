import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS, startTestServer, type TestServer } from "../test-support/test-server.ts";
import { claimPickSql, type SlotOffer } from "./queue-claim.ts";

const cpuSlot: SlotOffer = {
  queues: ["default"],
  gpus: 0,
  minGpuMemoryMb: 0,
  backends: ["cpu"],
  labels: [],
  projects: null,
};

describe.each(DB_KINDS)("the claim's plan on %s", (kind) => {
  let server: TestServer;
  const plan = async (offer: SlotOffer) => {
    const rows = await server.database.query<Record<string, unknown>>(sql`EXPLAIN ${claimPickSql(offer)}`);
    return rows.map((r) => String(Object.values(r)[0])).join("\n");
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    await server.services.projects.ensureId("plan");
    await server.database.query(sql`
      INSERT INTO runs (id, project_id, name, status, queue, priority, requirements, spec, created_at, updated_at)
      SELECT gen_random_uuid(), (SELECT id FROM projects WHERE slug = 'plan'), 'r' || i, 'queued',
        CASE WHEN i % 10 = 0 THEN 'gpu' ELSE 'default' END, i % 3, '{"gpus":0,"labels":[]}', '{}',
        now() + i * interval '1 ms', now()
      FROM generate_series(1, 3000) i`);
    await server.database.query(sql`ANALYZE runs`);
  });
  afterAll(() => server.close());

  it("walks the queued runs in claim order through an index instead of sorting them all", async () => {
    for (const [offer, index] of [
      [cpuSlot, "runs_queued_pick_idx"],
      [{ ...cpuSlot, projects: ["plan"] }, "runs_queued_pick_idx"],
      [{ ...cpuSlot, gpus: 1, minGpuMemoryMb: 16_000, labels: ["a100"] }, "runs_queued_pick_idx"],
      [{ ...cpuSlot, queues: ["default", "gpu"] }, "runs_queued_order_idx"],
    ] as const) {
      const text = await plan(offer);
      expect(text, text).toContain(index);
      expect(text, text).not.toMatch(/Sort|Seq Scan on runs/);
    }
  });
});
