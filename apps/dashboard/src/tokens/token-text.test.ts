import { describe, expect, it } from "vitest";
import { describeGrants, parseGrants, runnerCommand, shellQuote } from "./token-text.ts";

describe("runnerCommand", () => {
  it("is the README's command with this tracker, the token and its name", () => {
    expect(runnerCommand("http://tracker:8420", "lt_runner_abc", "gpu-host-1")).toBe(
      "LABTRACK_URL=http://tracker:8420 LABTRACK_TOKEN=lt_runner_abc \\\n" +
        "  pnpm --filter @labtrack/gpu-runner start -- --name gpu-host-1",
    );
  });

  it("quotes a name the shell would split", () => {
    expect(runnerCommand("http://h", "t", "my host's box")).toContain(`--name 'my host'"'"'s box'`);
    expect(shellQuote("a b")).toBe("'a b'");
  });
});

describe("describeGrants", () => {
  it("names every project when the token has no limit", () => {
    expect(describeGrants(null)).toBe("every project");
    expect(
      describeGrants([
        { project: "flowers", access: "write" },
        { project: "birds", access: "read" },
      ]),
    ).toBe("flowers (write), birds (read)");
  });
});

describe("parseGrants", () => {
  it("reads name, name:read, name:write; empty is no limit", () => {
    expect(parseGrants("  ")).toEqual({ ok: true, projects: undefined });
    expect(parseGrants("flowers, birds:read")).toEqual({
      ok: true,
      projects: [
        { project: "flowers", access: "write" },
        { project: "birds", access: "read" },
      ],
    });
  });

  it("refuses an unknown access, a missing name and a repeat", () => {
    expect(parseGrants("flowers:admin")).toMatchObject({ ok: false });
    expect(parseGrants(":read")).toMatchObject({ ok: false });
    expect(parseGrants("a, a:read")).toEqual({ ok: false, error: "'a' is listed twice" });
  });
});
