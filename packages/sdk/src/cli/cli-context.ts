import { createTrpcClient, type LabtrackTRPCClient } from "../trpc-client.ts";

/** What a command writes to and reads from, so tests can run the CLI in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  // `pnpm labtrack …` runs in the workspace root; INIT_CWD is where the user typed it.
  cwd: (process.env.npm_lifecycle_event === "labtrack" && process.env.INIT_CWD) || process.cwd(),
};

/** A usage mistake: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface ServerAccess {
  url: string;
  token: string;
}

/** `LABTRACK_URL` (default http://localhost:8420) and `LABTRACK_TOKEN` (required). */
export function serverAccess(io: CliIo): ServerAccess {
  const token = io.env.LABTRACK_TOKEN;
  if (!token)
    throw new UsageError("LABTRACK_TOKEN: set it to an API token (see the dashboard's Tokens page)");
  return { url: io.env.LABTRACK_URL ?? "http://localhost:8420", token };
}

/** Runs `use` with a tRPC client over HTTP, closing it afterwards. */
export async function withTrpc<T>(
  access: ServerAccess,
  use: (trpc: LabtrackTRPCClient) => Promise<T>,
): Promise<T> {
  const client = createTrpcClient({ url: access.url, token: access.token });
  try {
    return await use(client.trpc);
  } finally {
    await client.close();
  }
}

/** Left-aligned columns, for list output. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}
