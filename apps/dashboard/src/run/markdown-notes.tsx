import { useMemo } from "react";
import { renderNotesMarkdown } from "./markdown.ts";

/** A run's notes, Markdown rendered and sanitised (see `renderNotesMarkdown`). */
export function MarkdownNotes({ text }: { text: string }) {
  const html = useMemo(() => renderNotesMarkdown(text), [text]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: DOMPurify sanitised the HTML just above.
  return <div className="markdown" data-testid="run-notes" dangerouslySetInnerHTML={{ __html: html }} />;
}
