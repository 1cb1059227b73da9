import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readEnv } from "./env.ts";

describe("readEnv dashboard folder", () => {
  it("defaults to apps/dashboard/dist beside the tracker-api package", () => {
    const env = readEnv({});
    const appsDir = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
    expect(env.dashboardDir).toBe(path.join(appsDir, "dashboard", "dist"));
  });

  it("takes LABTRACK_DASHBOARD_DIR relative to the directory the command was typed in", () => {
    const env = readEnv({ LABTRACK_DASHBOARD_DIR: "web/dist", INIT_CWD: "/srv/labtrack" });
    expect(env.dashboardDir).toBe("/srv/labtrack/web/dist");
  });
});
