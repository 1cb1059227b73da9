import type { LiveEvent } from "@labtrack/schemas";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectLiveEvents as collect } from "../test-support/live-subscriber.ts";
import { DB_KINDS, startTestServer, type TestServer } from "../test-support/test-server.ts";
import type { StampedEvent } from "./live-events.ts";

const stepsOf = (seen: StampedEvent[]) =>
  seen.flatMap(({ event }) => (event.kind === "metric" ? (event.series[0]?.steps ?? []) : []));

describe.each(DB_KINDS)("live events on %s", (kind) => {
  let server: TestServer;
  const newRun = async () =>
    (await server.services.runs.create({ project: "live-ids", tags: [], config: {} }, "test")).id;
  const logStep = (runId: string, step: number) =>
    server.services.metrics.log(runId, [{ key: "loss", step, value: 1 / (step + 1) }]);

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it("numbers events in commit order and resumes after a given id with each later event once", async () => {
    const runId = await newRun();
    const live = collect(server.services.bus, { runIds: new Set([runId]) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let step = 0; step < 6; step++) await logStep(runId, step);
    await expect.poll(() => stepsOf(live.seen)).toEqual([0, 1, 2, 3, 4, 5]);
    live.stop();
    const ids = live.seen.map((s) => Number(s.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // Reconnecting after the third event, while more is written: 3..7, once each, in order.
    const resumed = collect(server.services.bus, { runIds: new Set([runId]) }, live.seen[2]!.id);
    await logStep(runId, 6);
    await logStep(runId, 7);
    await expect.poll(() => stepsOf(resumed.seen)).toEqual([3, 4, 5, 6, 7]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    resumed.stop();
    expect(stepsOf(resumed.seen)).toEqual([3, 4, 5, 6, 7]);
    expect(resumed.seen.slice(0, 3).map((s) => s.id)).toEqual(live.seen.slice(3).map((s) => s.id));
  });

  it("sends an event far larger than a NOTIFY payload whole", async () => {
    const runId = await newRun();
    const live = collect(server.services.bus, { runIds: new Set([runId]), kinds: new Set(["log"]) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = Array.from({ length: 500 }, (_, i) => ({
      stream: "stdout" as const,
      text: `line ${i} ${"x".repeat(200)}`,
    }));
    await server.services.logs.append(runId, lines);
    await expect.poll(() => live.seen.length).toBe(1);
    live.stop();
    const event = live.seen[0]!.event as Extract<LiveEvent, { kind: "log" }>;
    expect(event.lines.map((l) => l.text)).toEqual(lines.map((l) => l.text));
  });

  it("tells subscribers of a run when its name, tags or notes are edited, and not of a time range set", async () => {
    const runId = await newRun();
    const live = collect(server.services.bus, { runIds: new Set([runId]), kinds: new Set(["details"]) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.services.runs.update({ runId, name: "renamed", tags: ["a"], notes: "# hi" });
    await server.services.runs.update({ runId, startedAt: new Date(1_700_000_000_000) });
    await server.services.runs.setKeyValueTags(runId, { owner: "ann" });
    await expect.poll(() => live.seen.length).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    live.stop();
    expect(live.seen.map((s) => s.event)).toEqual([
      { kind: "details", runId, project: "live-ids" },
      { kind: "details", runId, project: "live-ids" },
    ]);
  });

  it("tells a subscriber to refetch when its id was pruned, is unknown, or is of the former form", async () => {
    const runId = await newRun();
    await logStep(runId, 0);
    const [{ last } = { last: 0 }] = await server.database.query<{ last: number }>(
      sql`SELECT max(id)::int8 AS last FROM live_events`,
    );
    const resyncFor = async (lastEventId: string) => {
      const sub = collect(server.services.bus, { project: "live-ids" }, lastEventId);
      await expect.poll(() => sub.seen.length).toBeGreaterThan(0);
      sub.stop();
      return sub.seen[0]!;
    };
    for (const stale of ["deadbeef-12", String(Number(last) + 1000), "0"]) {
      expect(await resyncFor(stale)).toEqual({
        id: String(last),
        event: { kind: "resync", runId: null, project: null },
      });
    }
    // Everything but the newest event is older than a zero-length window: resuming before it resyncs.
    await logStep(runId, 1);
    const before = Number(last);
    expect(await server.services.bus.prune(0)).toBeGreaterThan(0);
    expect((await resyncFor(String(before))).event.kind).toBe("resync");
  });
});
