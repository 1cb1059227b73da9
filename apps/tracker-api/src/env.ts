import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const envSchema = z.object({
  LABTRACK_PORT: z.coerce.number().int().min(0).max(65535).default(8420),
  LABTRACK_HOST: z.string().default("127.0.0.1"),
  /** A Postgres server; without it the embedded PGlite keeps its data under LABTRACK_DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  LABTRACK_DATA_DIR: z.string().default(".labtrack"),
  LABTRACK_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** The address people reach the server at, for the printed login link. */
  LABTRACK_PUBLIC_URL: z.string().url().optional(),
  LABTRACK_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** The built dashboard to serve at `/`; defaults to apps/dashboard/dist beside this package. */
  LABTRACK_DASHBOARD_DIR: z.string().optional(),
  /** A claimed run is lost when its runner sends no heartbeat for this long. */
  LABTRACK_LEASE_MS: z.coerce.number().int().min(100).default(30_000),
  /** How often runners heartbeat (told to each runner when it registers). */
  LABTRACK_HEARTBEAT_MS: z.coerce.number().int().min(50).default(5_000),
  LABTRACK_REAPER_INTERVAL_MS: z.coerce.number().int().min(50).default(2_000),
  /** pnpm and npm set this to the directory the command was typed in. */
  INIT_CWD: z.string().optional(),
});

export type Env = z.infer<typeof envSchema> & { dataDir: string; dashboardDir: string };

/** apps/dashboard/dist, found by path: the API does not depend on the dashboard package. */
const bundledDashboardDir = fileURLToPath(new URL("../../dashboard/dist", import.meta.url));

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid environment: ${problems}`);
  }
  const env = parsed.data;
  const base = env.INIT_CWD ?? process.cwd();
  return {
    ...env,
    dataDir: path.resolve(base, env.LABTRACK_DATA_DIR),
    dashboardDir: env.LABTRACK_DASHBOARD_DIR
      ? path.resolve(base, env.LABTRACK_DASHBOARD_DIR)
      : bundledDashboardDir,
  };
}
