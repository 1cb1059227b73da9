import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { freePort } from "../test-support/free-port.ts";
import { createDatabase } from "./client.ts";
import { isDatabaseUnreachable } from "./database-unreachable.ts";

async function errorOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error("expected the action to fail");
}

describe("isDatabaseUnreachable", () => {
  it("is true for a refused Postgres connection, through drizzle's wrapping", async () => {
    const database = await createDatabase({
      databaseUrl: `postgres://postgres@127.0.0.1:${await freePort()}/nothing`,
    });
    const error = await errorOf(() => database.query(sql`SELECT 1`));
    expect(isDatabaseUnreachable(error)).toBe(true);
    await database.close();
  });

  it("is true for a closed PGlite", async () => {
    const pglite = new PGlite();
    await pglite.close();
    expect(isDatabaseUnreachable(await errorOf(() => pglite.query("SELECT 1")))).toBe(true);
  });

  it("is false for a statement the database refuses", async () => {
    const database = await createDatabase({});
    const error = await errorOf(() => database.query(sql`SELECT * FROM no_such_table`));
    expect(isDatabaseUnreachable(error)).toBe(false);
    expect(isDatabaseUnreachable(new Error("anything"))).toBe(false);
    await database.close();
  });
});
