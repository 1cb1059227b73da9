import type { ProjectGrant } from "@labtrack/schemas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { projectAccessAllows, projectsAllowed } from "./project-access.ts";

const grants: ProjectGrant[] = [
  { project: "flowers", access: "write" },
  { project: "birds", access: "read" },
];

describe("project access", () => {
  it("lets an unlimited token use every project", () => {
    expect(projectAccessAllows(null, "anything", "write")).toBe(true);
    expect(projectsAllowed(null, "read")).toBeNull();
  });

  it("lets a limited token read what it may write, write only what it was given to write", () => {
    expect(projectAccessAllows(grants, "flowers", "write")).toBe(true);
    expect(projectAccessAllows(grants, "flowers", "read")).toBe(true);
    expect(projectAccessAllows(grants, "birds", "read")).toBe(true);
    expect(projectAccessAllows(grants, "birds", "write")).toBe(false);
    expect(projectAccessAllows(grants, "cats", "read")).toBe(false);
    expect(projectsAllowed(grants, "read")).toEqual(["flowers", "birds"]);
    expect(projectsAllowed(grants, "write")).toEqual(["flowers"]);
  });

  it("agrees with the listed projects for any grants, and never allows an unlisted project", () => {
    const slug = fc.constantFrom("a", "b", "c", "d", "e");
    const grant = fc.record({ project: slug, access: fc.constantFrom("read" as const, "write" as const) });
    const uniqueGrants = fc.uniqueArray(grant, { selector: (g) => g.project, minLength: 1 });
    fc.assert(
      fc.property(uniqueGrants, slug, fc.constantFrom("read" as const, "write" as const), (gs, p, access) => {
        const allowed = projectAccessAllows(gs, p, access);
        expect(allowed).toBe(projectsAllowed(gs, access)!.includes(p));
        if (!gs.some((g) => g.project === p)) expect(allowed).toBe(false);
        if (allowed && access === "write") expect(projectAccessAllows(gs, p, "read")).toBe(true);
      }),
    );
  });
});
