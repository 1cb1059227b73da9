import { describe, expect, it } from "vitest";
import { artifactMediaType, artifactPreviewKind, imageMediaType } from "./artifact-media-type.ts";

describe("artifactMediaType", () => {
  it("keeps a type the upload declared", () => {
    expect(artifactMediaType("model/model.json", "application/json")).toBe("application/json");
    expect(artifactMediaType("weird.png", "text/plain")).toBe("text/plain");
  });

  it("names the type by extension when the upload said nothing or octet-stream", () => {
    expect(artifactMediaType("plots/confusion.PNG", null)).toBe("image/png");
    expect(artifactMediaType("plots/a.jpeg", "application/octet-stream")).toBe("image/jpeg");
    expect(artifactMediaType("plots/a.svg", "application/octet-stream; charset=binary")).toBe(
      "image/svg+xml",
    );
    expect(artifactMediaType("logs/train.csv", "")).toBe("text/csv; charset=utf-8");
    expect(artifactMediaType("weights.bin", null)).toBe("application/octet-stream");
    expect(artifactMediaType("Makefile", null)).toBe("application/octet-stream");
    expect(artifactMediaType(".png", null)).toBe("application/octet-stream");
  });
});

describe("artifactPreviewKind", () => {
  it("previews images, JSON and text, and nothing else", () => {
    for (const path of ["a.png", "b/c.jpg", "d.webp", "e.gif", "f.svg"]) {
      expect(artifactPreviewKind(path, null)).toBe("image");
    }
    expect(artifactPreviewKind("metrics.json", "application/octet-stream")).toBe("json");
    expect(artifactPreviewKind("x", "application/vnd.api+json")).toBe("json");
    expect(artifactPreviewKind("train.log", null)).toBe("text");
    expect(artifactPreviewKind("history.csv", null)).toBe("text");
    expect(artifactPreviewKind("page.html", "text/html")).toBe("text");
    expect(artifactPreviewKind("weights.bin", null)).toBe(null);
    expect(artifactPreviewKind("model.tar.gz", null)).toBe(null);
  });

  it("goes by the extension before a declared type (an svg declared text/html is still an image)", () => {
    expect(artifactPreviewKind("x.svg", "text/html")).toBe("image");
    expect(artifactPreviewKind("notes.txt", "image/png")).toBe("text");
    expect(artifactPreviewKind("blob", "image/png")).toBe("image");
  });
});

describe("imageMediaType", () => {
  it("names image types by extension only", () => {
    expect(imageMediaType("a/b.SVG")).toBe("image/svg+xml");
    expect(imageMediaType("a.json")).toBe(null);
  });
});
