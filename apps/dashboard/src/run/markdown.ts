import DOMPurify from "dompurify";
import { Marked } from "marked";

/** GitHub-flavoured Markdown, a line break where the author broke a line (as W&B notes do). */
const markdown = new Marked({ gfm: true, breaks: true, async: false });

/** Markdown to HTML, unsanitised: raw HTML in the text passes through (see `renderNotesMarkdown`). */
export function markdownToHtml(text: string): string {
  return markdown.parse(text) as string;
}

let hooked = false;
function purifier(): typeof DOMPurify {
  if (!hooked) {
    // Links leave the dashboard in a new tab, without handing it `window.opener`.
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A" && node.getAttribute("href")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer");
      }
    });
    hooked = true;
  }
  return DOMPurify;
}

/**
 * A run's notes as HTML that is safe to put in the page: Markdown rendered by marked, then every
 * script, event handler, `javascript:` URL, style, frame and form stripped by DOMPurify (raw HTML
 * in the notes survives only as far as DOMPurify's safe subset goes). Checked in Chromium by the
 * e2e suite: DOMPurify needs a real DOM (happy-dom's lets everything through).
 */
export function renderNotesMarkdown(text: string): string {
  return purifier().sanitize(markdownToHtml(text), {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe"],
    FORBID_ATTR: ["style"],
  });
}
