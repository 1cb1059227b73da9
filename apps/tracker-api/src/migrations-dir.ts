import { fileURLToPath } from "node:url";

/**
 * The committed drizzle-kit migrations. This file sits one level below the app, as the bundle
 * built from it does (dist/main.js), so the same relative path holds in both.
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));
