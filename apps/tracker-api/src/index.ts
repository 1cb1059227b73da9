export { createDatabase, type Database, migrateDatabase } from "./db/client.ts";
export type { AppRouter, RouterInputs, RouterOutputs } from "./root.ts";
export { createLabtrackServer, type ExtraRoute, type LabtrackServer } from "./server.ts";
export { ensureAdminToken } from "./services/admin-bootstrap.ts";
export { createServices, type Services } from "./services/index.ts";
