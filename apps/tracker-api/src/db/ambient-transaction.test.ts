import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScratchPostgres, DB_KINDS, testDatabaseUrl } from "../test-support/test-server.ts";
import { createDatabase, type Database } from "./client.ts";

describe.each(DB_KINDS)("ambient transactions on %s", (kind) => {
  let database: Database;
  let drop: (() => Promise<void>) | undefined;
  const names = async () =>
    (await database.query<{ name: string }>(sql`SELECT name FROM t ORDER BY name`)).map((r) => r.name);
  const insert = (name: string) => database.query(sql`INSERT INTO t (name) VALUES (${name})`);

  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (kind === "postgres" && testDatabaseUrl) {
      const scratch = await createScratchPostgres(testDatabaseUrl);
      databaseUrl = scratch.url;
      drop = scratch.drop;
    }
    database = await createDatabase({ databaseUrl });
    await database.query(sql`CREATE TABLE t (name text PRIMARY KEY)`);
  });
  afterAll(async () => {
    await database.close();
    await drop?.();
  });

  it("commits every statement of the call chain together, or none of them", async () => {
    const helper = async () => insert("b");
    await database.transaction(async () => {
      await insert("a");
      await helper();
    });
    await expect(
      database.transaction(async () => {
        await insert("c");
        await insert("a"); // duplicate key: the whole transaction rolls back
      }),
    ).rejects.toThrow();
    expect(await names()).toEqual(["a", "b"]);
  });

  it("makes a nested transaction a savepoint and runs effects only after the outer commit", async () => {
    const effects: string[] = [];
    await database.transaction(async () => {
      await insert("outer");
      await expect(
        database.transaction(async () => {
          await insert("inner");
          database.afterCommit(() => effects.push("inner"));
          throw new Error("inner fails");
        }),
      ).rejects.toThrow("inner fails");
      database.afterCommit(() => effects.push("outer"));
      expect(effects).toEqual([]);
    });
    expect(effects).toEqual(["outer"]);
    expect(await names()).toContain("outer");
    expect(await names()).not.toContain("inner");
  });

  it("keeps concurrent transactions apart, and a timer outliving one uses the database itself", async () => {
    let late: Promise<unknown> | undefined;
    await Promise.all([
      database.transaction(async () => {
        await insert("x1");
        late = new Promise((resolve) => setTimeout(() => resolve(insert("late")), 20));
      }),
      database.transaction(async () => {
        await insert("y1");
        await insert("y2");
      }),
    ]);
    await late;
    expect(await names()).toEqual(expect.arrayContaining(["x1", "y1", "y2", "late"]));
    const effects: string[] = [];
    database.afterCommit(() => effects.push("now"));
    expect(effects).toEqual(["now"]);
  });
});
