import type { Run } from "@labtrack/schemas";
import { describe, expect, it } from "vitest";
import { type RunsPage, readAllRunsPages } from "./runs-pages.ts";

const runs = Array.from({ length: 2345 }, (_, i) => ({ id: `r${i}` }) as Run);

/** A server that pages `runs` 1000 at a time behind an opaque cursor. */
function pages(cursor: string | undefined): Promise<RunsPage> {
  const from = cursor ? Number(cursor.slice(1)) : 0;
  const next = from + 1000;
  return Promise.resolve({
    runs: runs.slice(from, next),
    nextCursor: next < runs.length ? `k${next}` : null,
    total: runs.length,
  });
}

describe("reading every page of runs.list", () => {
  it("reads all pages in order, passing each cursor on", async () => {
    const cursors: (string | undefined)[] = [];
    const got: Run[] = [];
    await readAllRunsPages(
      (cursor) => {
        cursors.push(cursor);
        return pages(cursor);
      },
      (page) => got.push(...page.runs),
    );
    expect(cursors).toEqual([undefined, "k1000", "k2000"]);
    expect(got.map((r) => r.id)).toEqual(runs.map((r) => r.id));
  });

  it("stops with an error when the server hands back a cursor it gave before", async () => {
    const stuck = () => Promise.resolve({ runs: [], nextCursor: "same", total: 1 });
    await expect(readAllRunsPages(stuck, () => {})).rejects.toThrow(/repeated/);
  });
});
