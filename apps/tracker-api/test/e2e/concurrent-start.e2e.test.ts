import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createScratchPostgres, DB_KINDS, testDatabaseUrl } from "../../src/test-support/test-server.ts";
import { exitOf, freePort, startApi } from "./api-process.ts";

const ADMIN = "concurrent-start-admin-0123456789";

/** Three tracker-api processes started at the same moment; what each one ended up doing. */
async function startThree(env: Record<string, string>) {
  const ports = [await freePort(), await freePort(), await freePort()];
  const starts = ports.map((port) =>
    startApi({ ...env, LABTRACK_PORT: String(port), LABTRACK_ADMIN_TOKEN: ADMIN }),
  );
  const settled = await Promise.allSettled(starts);
  const started = settled.flatMap((s, i) =>
    s.status === "fulfilled" ? [{ ...s.value, port: ports[i]! }] : [],
  );
  const refused = settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
  return { started, refused };
}

async function stopAll(children: { child: import("node:child_process").ChildProcess }[]) {
  await Promise.all(
    children.map(async ({ child }) => {
      const exited = exitOf(child);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }),
  );
}

describe.each(DB_KINDS)("three tracker-api processes started at once (%s)", (kind) => {
  it(kind === "postgres"
    ? "all start on an empty database: migrations take turns"
    : "on one data directory: one serves, the others refuse it", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-concurrent-"));
    const scratch = kind === "postgres" ? await createScratchPostgres(testDatabaseUrl ?? "") : null;
    try {
      const { started, refused } = await startThree({
        LABTRACK_DATA_DIR: dataDir,
        ...(scratch && { DATABASE_URL: scratch.url }),
      });
      if (kind === "postgres") {
        expect(refused).toEqual([]);
        expect(started).toHaveLength(3);
      } else {
        expect(started).toHaveLength(1);
        expect(refused).toHaveLength(2);
        for (const reason of refused) expect(reason).toMatch(/in use by another tracker-api/);
      }
      for (const { port } of started) {
        const res = await fetch(`http://127.0.0.1:${port}/trpc/runs.create`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
          body: JSON.stringify({ project: "concurrent" }),
        });
        expect(res.status).toBe(200);
      }
      await stopAll(started);
    } finally {
      await scratch?.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
