import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CuttableTcpProxy, startCuttableTcpProxy } from "../test-support/cuttable-tcp-proxy.ts";
import { testDatabaseUrl } from "../test-support/test-server.ts";

/**
 * postgres.js asks each new connection for the server's array types before its first use. When
 * the connection was lost during that question, the rejection was left unhandled, which ends a
 * Node process (CI saw it while a test's database was down), and a `reserve()` waiting on it never
 * heard back. The patch in patches/postgres@3.4.9.patch handles both.
 */
describe.skipIf(!testDatabaseUrl)("a postgres connection lost while it fetches the array types", () => {
  let proxy: CuttableTcpProxy;
  let cuts = 0;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    const direct = new URL(testDatabaseUrl!);
    proxy = await startCuttableTcpProxy(direct.hostname, Number(direct.port || 5432), (chunk) => {
      // The first connection is cut as it asks for the types.
      if (cuts >= 1 || !chunk.includes("typcategory")) return false;
      cuts++;
      return true;
    });
    process.on("unhandledRejection", onUnhandled);
  });
  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    await proxy?.close();
  });

  it("leaves no rejection unhandled, tells the waiting reserve(), and works on the next connection", async () => {
    const url = Object.assign(new URL(testDatabaseUrl!), { port: String(proxy.port) }).href;
    const client = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const waited = await Promise.race([
        client.reserve().then(
          (reserved) => {
            reserved.release();
            return "reserved";
          },
          (error: { code?: string }) => error.code ?? String(error),
        ),
        new Promise((resolve) => setTimeout(() => resolve("still waiting after 5 s"), 5_000)),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(cuts).toBe(1);
      expect(unhandled.map(String)).toEqual([]);
      expect(waited).toBe("CONNECTION_CLOSED");
      const [row] = await client`SELECT 1 AS one`;
      expect(row?.one).toBe(1);
    } finally {
      await client.end({ timeout: 1 });
    }
  });
});
