import type { Run } from "@labtrack/schemas";

export interface RunsPage {
  runs: Run[];
  nextCursor: string | null;
  total: number;
}

/**
 * Reads every page of a runs.list query, first to last, handing each to `onPage` as it arrives;
 * stops when the server has no next cursor (or repeats one, which would never end).
 */
export async function readAllRunsPages(
  fetchPage: (cursor: string | undefined) => Promise<RunsPage>,
  onPage: (page: RunsPage) => void,
): Promise<void> {
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    onPage(page);
    cursor = page.nextCursor ?? undefined;
    if (cursor !== undefined && seen.has(cursor)) throw new Error("runs.list repeated a page cursor");
    if (cursor !== undefined) seen.add(cursor);
  } while (cursor !== undefined);
}
