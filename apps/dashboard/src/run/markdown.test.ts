import { describe, expect, it } from "vitest";
import { markdownToHtml } from "./markdown.ts";

// Sanitising is checked in Chromium (test/e2e/run-page.test.ts): DOMPurify needs a real DOM.
describe("markdownToHtml", () => {
  it("renders headings, lists, emphasis, code, tables and links", () => {
    const html = markdownToHtml(
      "# Findings\n\n- lr **0.001** is best\n- see `phase2`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[paper](https://arxiv.org/abs/1801.04381)",
    );
    expect(html).toContain("<h1>Findings</h1>");
    expect(html).toContain("<li>lr <strong>0.001</strong> is best</li>");
    expect(html).toContain("<code>phase2</code>");
    expect(html).toContain("<td>1</td>");
    expect(html).toContain('<a href="https://arxiv.org/abs/1801.04381">paper</a>');
  });

  it("keeps the author's line breaks", () => {
    expect(markdownToHtml("one\ntwo")).toBe("<p>one<br>two</p>\n");
  });
});
