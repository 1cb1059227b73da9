import { runsUpdateInput } from "@labtrack/schemas";
import type { z } from "zod";

/** What the edit form holds: the text of each field as typed. */
export interface RunEditDraft {
  name: string;
  tags: string;
  notes: string;
}

export type RunEditField = keyof RunEditDraft;
export type RunEditInput = z.input<typeof runsUpdateInput>;

/** Tags as typed: separated by commas or spaces, duplicates dropped, order kept. */
export function parseTagText(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((t) => t.length > 0))];
}

export function draftOf(run: { name: string; tags: string[]; notes: string | null }): RunEditDraft {
  return { name: run.name, tags: run.tags.join(", "), notes: run.notes ?? "" };
}

/**
 * The `runs.update` input for a draft, checked with the API's own schema (so the form names the
 * field the server would refuse); empty notes clear them. Only changed fields are sent.
 */
export function draftToUpdate(
  runId: string,
  before: RunEditDraft,
  draft: RunEditDraft,
): { input: RunEditInput } | { errors: Partial<Record<RunEditField, string>> } {
  const input: RunEditInput = { runId };
  const name = draft.name.trim();
  if (name !== before.name) input.name = name;
  const tags = parseTagText(draft.tags);
  if (tags.join(",") !== parseTagText(before.tags).join(",")) input.tags = tags;
  if (draft.notes !== before.notes) input.notes = draft.notes.trim() === "" ? null : draft.notes;
  const checked = runsUpdateInput.safeParse(input);
  if (checked.success) return { input };
  const errors: Partial<Record<RunEditField, string>> = {};
  for (const issue of checked.error.issues) {
    const field = issue.path[0];
    if (field !== "name" && field !== "tags" && field !== "notes") continue;
    const where = field === "tags" && typeof issue.path[1] === "number" ? ` (“${tags[issue.path[1]]}”)` : "";
    errors[field] ??= `${issue.message}${where}`;
  }
  return { errors };
}
