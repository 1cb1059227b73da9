import { beforeEach, describe, expect, it } from "vitest";
import { rememberRunsQuery, runsPageHref } from "./runs-return.ts";

describe("the breadcrumb back to a project", () => {
  beforeEach(() => sessionStorage.clear());

  it("opens the runs page with the query it last had", () => {
    expect(runsPageHref("flowers")).toBe("/projects/flowers");
    rememberRunsQuery("flowers", "filter=config.lr+%3C+0.01&sort=name%3Aasc&group=group&cols=config.lr");
    rememberRunsQuery("birds", "sort=createdAt%3Aasc");
    expect(runsPageHref("flowers")).toBe(
      "/projects/flowers?filter=config.lr+%3C+0.01&sort=name%3Aasc&group=group&cols=config.lr",
    );
    expect(new URL(runsPageHref("flowers"), "http://x").searchParams.get("filter")).toBe("config.lr < 0.01");
    expect(runsPageHref("birds")).toBe("/projects/birds?sort=createdAt%3Aasc");
    rememberRunsQuery("flowers", "");
    expect(runsPageHref("flowers")).toBe("/projects/flowers");
  });
});
