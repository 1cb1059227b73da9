import type { Run } from "@labtrack/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { MarkdownNotes } from "./markdown-notes.tsx";
import { draftOf, draftToUpdate, type RunEditDraft, type RunEditField } from "./run-edit-draft.ts";

/** Edits a run's name, tags and Markdown notes (`runs.update`); other open pages hear of it live. */
export function RunEditForm({ run, onDone }: { run: Run; onDone: () => void }) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const before = useMemo(() => draftOf(run), [run]);
  const [draft, setDraft] = useState<RunEditDraft>(before);
  const [errors, setErrors] = useState<Partial<Record<RunEditField, string>>>({});
  const [preview, setPreview] = useState(false);
  const save = useMutation({
    mutationFn: (input: Parameters<typeof client.runs.update.mutate>[0]) => client.runs.update.mutate(input),
    onSuccess: (updated) => {
      queryClient.setQueryData(["runs.get", run.id], updated);
      void queryClient.invalidateQueries({ queryKey: ["runs.list"] });
      onDone();
    },
  });
  const set = (field: RunEditField) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };
  const submit = () => {
    const checked = draftToUpdate(run.id, before, draft);
    if ("errors" in checked) return setErrors(checked.errors);
    if (Object.keys(checked.input).length === 1) return onDone();
    save.mutate(checked.input);
  };

  return (
    <form
      className="panel run-edit"
      aria-label="Edit run"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") onDone();
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) submit();
      }}
    >
      <div className="run-edit-fields">
        <div className="form-field">
          <label htmlFor="run-edit-name">Name</label>
          <input
            id="run-edit-name"
            value={draft.name}
            maxLength={200}
            aria-invalid={errors.name !== undefined}
            onChange={(e) => set("name")(e.target.value)}
          />
          {errors.name && <p className="field-error">name: {errors.name}</p>}
        </div>
        <div className="form-field">
          <label htmlFor="run-edit-tags">Tags</label>
          <input
            id="run-edit-tags"
            value={draft.tags}
            placeholder="baseline, augmented"
            aria-invalid={errors.tags !== undefined}
            onChange={(e) => set("tags")(e.target.value)}
          />
          <span className="field-hint">Separated by commas or spaces.</span>
          {errors.tags && <p className="field-error">tags: {errors.tags}</p>}
        </div>
      </div>
      <div className="form-field">
        <div className="run-edit-notes-head">
          <label htmlFor="run-edit-notes">Notes</label>
          <span className="field-hint">Markdown</span>
          <fieldset className="segmented" aria-label="Notes view">
            <legend className="sr-only">Notes view</legend>
            {(["Write", "Preview"] as const).map((view) => (
              <button
                key={view}
                type="button"
                className={preview === (view === "Preview") ? "on" : ""}
                aria-pressed={preview === (view === "Preview")}
                onClick={() => setPreview(view === "Preview")}
              >
                {view}
              </button>
            ))}
          </fieldset>
        </div>
        {preview ? (
          <div className="run-edit-preview">
            {draft.notes.trim() ? (
              <MarkdownNotes text={draft.notes} />
            ) : (
              <p className="muted">Nothing to preview.</p>
            )}
          </div>
        ) : (
          <textarea
            id="run-edit-notes"
            rows={10}
            value={draft.notes}
            placeholder={"What this run tried, what you saw.\n\n**Markdown**: lists, `code`, tables, links."}
            aria-invalid={errors.notes !== undefined}
            onChange={(e) => set("notes")(e.target.value)}
          />
        )}
        {errors.notes && <p className="field-error">notes: {errors.notes}</p>}
      </div>
      {save.error && (
        <p className="field-error" role="alert">
          {errorMessage(save.error)}
        </p>
      )}
      <div className="form-actions run-edit-actions">
        <span className="field-hint">Ctrl+Enter saves, Escape cancels</span>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </button>
      </div>
    </form>
  );
}
