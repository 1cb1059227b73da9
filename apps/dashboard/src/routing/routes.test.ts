import { describe, expect, it } from "vitest";
import { parseRoute, paths } from "./routes.ts";

describe("sweep routes", () => {
  it("reads a project's sweeps and a sweep back from the paths that link to them", () => {
    const id = "3f1c9a0d-2b7e-4c1a-9d3e-0a1b2c3d4e5f";
    expect(parseRoute(paths.sweeps("my project"))).toEqual({ page: "sweeps", project: "my project" });
    expect(parseRoute(paths.sweep("tune", id))).toEqual({ page: "sweep", project: "tune", sweepId: id });
    expect(parseRoute("/projects/tune/sweeps/a/b").page).toBe("not-found");
    expect(parseRoute("/projects/tune")).toEqual({ page: "runs", project: "tune" });
  });
});
