import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TokenService } from "./tokens.ts";

/**
 * Makes sure someone can sign in. With LABTRACK_ADMIN_TOKEN set, that token is the way in.
 * Otherwise the first start creates an admin token and writes it to `<dataDir>/admin.token`;
 * later starts read it back from there (while it is still there).
 */
export async function ensureAdminToken(opts: {
  tokens: TokenService;
  dataDir: string;
  envAdminToken?: string | undefined;
}): Promise<{ token: string | null; created: boolean; file: string }> {
  const file = path.join(opts.dataDir, "admin.token");
  if (opts.envAdminToken) return { token: opts.envAdminToken, created: false, file };
  if (!(await opts.tokens.hasActiveAdmin())) {
    const created = await opts.tokens.create("admin (first start)", "admin");
    await mkdir(opts.dataDir, { recursive: true });
    await writeFile(file, `${created.token}\n`, { mode: 0o600 });
    return { token: created.token, created: true, file };
  }
  try {
    const token = (await readFile(file, "utf8")).trim();
    if (await opts.tokens.authenticate(token)) return { token, created: false, file };
  } catch {
    // no file: the admin token lives only with whoever kept it
  }
  return { token: null, created: false, file };
}
