import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { JsonTree } from "./json-tree.tsx";

afterEach(cleanup);

describe("JSON tree", () => {
  it("opens two levels, folds deeper ones, and lists at most 200 children a level", () => {
    const value = {
      model: { backbone: "mobilenet_v2", head: { units: [128, 64] } },
      ok: true,
      missing: null,
      empty: [],
      steps: Array.from({ length: 450 }, (_, i) => i),
    };
    const { container } = render(<JsonTree value={value} />);
    const nodes = [...container.querySelectorAll("details")];
    const open = (label: string) =>
      nodes.find((d) => d.querySelector(":scope > summary")?.textContent?.startsWith(label))?.open;
    expect(open("{")).toBe(true);
    expect(open("model:")).toBe(true);
    expect(open("head:")).toBe(false);
    expect(screen.getByText('"mobilenet_v2"').className).toBe("json-string");
    expect(screen.getByText("true").className).toBe("json-bool");
    expect(screen.getByText("null").className).toBe("json-null");
    expect(screen.getByText("[]")).toBeTruthy();
    expect(screen.getByText("450 items")).toBeTruthy();
    expect(container.querySelectorAll(".json-number")).toHaveLength(200 + 2);
    expect(screen.getByText("… 250 more (download the file for all)")).toBeTruthy();
  });
});
