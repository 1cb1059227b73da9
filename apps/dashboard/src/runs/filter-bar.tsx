import { FilterSyntaxError, parseRunFilter } from "@labtrack/core";
import { type KeyboardEvent, useEffect, useId, useState } from "react";

export interface FilterProblem {
  message: string;
  /** 0-based offset of the problem in the text, when known. */
  position: number | null;
}

/** Checks a filter with the same parser the server uses; null when it is valid (or empty). */
export function checkFilter(text: string): FilterProblem | null {
  try {
    parseRunFilter(text);
    return null;
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { message: error.message, position: error.position };
    return { message: error instanceof Error ? error.message : String(error), position: null };
  }
}

export interface FilterBarProps {
  /** The filter in effect. */
  value: string;
  onApply: (filter: string) => void;
  /** The server's answer to the applied filter, when it refused it. */
  serverError?: string | null;
  matching?: number | null;
  /** Told whether the text typed differs from the filter in effect (so the rows are not its result). */
  onDraftChange?: (draft: { pending: boolean; invalid: boolean }) => void;
}

const EXAMPLES = [
  "config.lr < 0.01",
  "summary.val_accuracy.max > 0.9",
  "status in (running, queued)",
  "tags has best",
];

/**
 * The `runs.list` filter language, checked as you type. Enter applies a valid filter, Escape
 * goes back to the one in effect.
 */
export function FilterBar({ value, onApply, serverError, matching, onDraftChange }: FilterBarProps) {
  const [draft, setDraft] = useState(value);
  const id = useId();
  useEffect(() => setDraft(value), [value]);
  const problem = checkFilter(draft);
  const dirty = draft.trim() !== value.trim();
  const invalid = problem !== null && problem !== undefined;
  useEffect(() => onDraftChange?.({ pending: dirty, invalid }), [dirty, invalid, onDraftChange]);

  const apply = () => {
    if (!problem) onApply(draft.trim());
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      apply();
    } else if (event.key === "Escape") {
      setDraft(value);
    }
  };
  const message = problem?.message ?? (dirty ? null : serverError);

  return (
    <div className="filter-bar">
      <div className={`filter-input ${problem ? "invalid" : ""}`}>
        <span className="filter-icon" aria-hidden="true">
          ⌕
        </span>
        <input
          type="search"
          aria-label="Filter runs"
          aria-invalid={problem ? true : undefined}
          aria-describedby={message ? `${id}-error` : `${id}-hint`}
          spellCheck={false}
          placeholder={`Filter: ${EXAMPLES[0]} and ${EXAMPLES[1]}`}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
        />
        {dirty && !problem && (
          <button type="button" className="btn btn-small" onClick={apply}>
            Apply ⏎
          </button>
        )}
        {value && (
          <button
            type="button"
            className="btn btn-small btn-ghost"
            onClick={() => {
              setDraft("");
              onApply("");
            }}
          >
            Clear
          </button>
        )}
      </div>
      {message ? (
        <p className="filter-error" id={`${id}-error`} role="alert">
          {problem?.position !== null && problem?.position !== undefined && (
            <code className="filter-caret">
              {draft.slice(Math.max(0, problem.position - 24), problem.position)}
              <mark>{draft.slice(problem.position, problem.position + 1) || " "}</mark>
            </code>
          )}
          {message}
        </p>
      ) : (
        <p className="filter-hint" id={`${id}-hint`}>
          {matching !== null && matching !== undefined && value ? `${matching} matching · ` : ""}
          e.g. <code>{EXAMPLES[2]}</code>, <code>{EXAMPLES[3]}</code> — fields: config.&lt;key&gt;,
          summary.&lt;metric&gt;.last|min|max, name, status, group, runner, createdAt, tags
        </p>
      )}
    </div>
  );
}
