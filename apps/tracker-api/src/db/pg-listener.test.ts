import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CuttableTcpProxy, startCuttableTcpProxy } from "../test-support/cuttable-tcp-proxy.ts";
import { testDatabaseUrl } from "../test-support/test-server.ts";
import { PgListener } from "./pg-listener.ts";

describe.skipIf(!testDatabaseUrl)("PgListener on postgres", () => {
  let proxy: CuttableTcpProxy;
  let notifier: postgres.Sql;
  let listenUrl: string;
  beforeAll(async () => {
    const direct = new URL(testDatabaseUrl!);
    proxy = await startCuttableTcpProxy(direct.hostname, Number(direct.port || 5432));
    listenUrl = Object.assign(new URL(direct.href), { port: String(proxy.port) }).href;
    notifier = postgres(testDatabaseUrl!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await notifier.end();
    await proxy.close();
  });

  it("listens again after an outage, and passes on a new connection's messages only after its onConnect", async () => {
    const listener = new PgListener(listenUrl, "pg-listener-test");
    const seen: string[] = [];
    // Every message must follow an onConnect of the connection it came on.
    let connectedSinceCut = true;
    const stray: string[] = [];
    await listener.listen(
      "pg_listener_test",
      (payload) => {
        seen.push(payload);
        if (!connectedSinceCut) stray.push(payload);
      },
      () => {
        connectedSinceCut = true;
        seen.push("connect");
      },
    );
    try {
      await notifier`SELECT pg_notify('pg_listener_test', 'a')`;
      await expect.poll(() => seen).toEqual(["connect", "a"]);
      proxy.cut();
      connectedSinceCut = false;
      // Down for longer than several reconnect attempts.
      for (let i = 0; i < 8; i++) {
        await notifier`SELECT pg_notify('pg_listener_test', 'lost')`;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      proxy.restore();
      // Messages keep coming, as fast as one connection sends them, while it reconnects: none may
      // arrive before its onConnect (they can share a socket read with the LISTEN's reply).
      const connects = () => seen.filter((s) => s === "connect").length;
      const deadline = Date.now() + 5_000;
      for (let i = 0; (connects() < 2 || i < 2_000) && Date.now() < deadline; i++) {
        await notifier`SELECT pg_notify('pg_listener_test', ${`m${i}`})`;
      }
      expect(connects()).toBe(2);
      await notifier`SELECT pg_notify('pg_listener_test', 'after')`;
      await expect.poll(() => seen.at(-1)).toBe("after");
      expect(stray).toEqual([]);
      expect(seen).not.toContain("lost");
      const afterReconnect = seen.slice(seen.lastIndexOf("connect") + 1);
      // What was sent after the reconnect arrives in order, each once.
      const numbered = afterReconnect.filter((s) => s.startsWith("m")).map((s) => Number(s.slice(1)));
      expect(numbered).toEqual([...numbered].sort((x, y) => x - y));
      expect(new Set(numbered).size).toBe(numbered.length);
    } finally {
      await listener.close();
    }
  });

  it("stops delivering a channel once unlistened, and stops reconnecting once closed", async () => {
    const listener = new PgListener(listenUrl, "pg-listener-test");
    const seen: string[] = [];
    const unlisten = await listener.listen("pg_listener_test_2", (payload) => seen.push(payload));
    await notifier`SELECT pg_notify('pg_listener_test_2', 'one')`;
    await expect.poll(() => seen).toEqual(["one"]);
    await unlisten();
    await notifier`SELECT pg_notify('pg_listener_test_2', 'two')`;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual(["one"]);
    await listener.close();
    const listening = await notifier`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE application_name = 'pg-listener-test'`;
    await expect
      .poll(
        async () =>
          (
            await notifier`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE application_name = 'pg-listener-test'`
          )[0]!.n,
      )
      .toBe(0);
    expect(listening.length).toBe(1);
  });
});
