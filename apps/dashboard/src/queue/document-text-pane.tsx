import { useEffect, useState } from "react";
import {
  type DocumentProblem,
  formatDocument,
  parseDocumentText,
  type SpecDocument,
} from "./spec-document.ts";

export type DocumentFormat = "yaml" | "json";

export interface DocumentText {
  text: string;
  format: DocumentFormat;
  syntax: { message: string; line: number | null } | null;
  /** A whole new document from the form: the text follows it. */
  replace: (next: SpecDocument) => void;
  onText: (next: string) => void;
  setFormat: (format: DocumentFormat) => void;
}

/**
 * The YAML/JSON text of a document edited beside its form. While the text does not parse, `doc`
 * stays the last one that did and `onSyntaxError(true)` tells the caller not to submit it.
 */
export function useDocumentText(
  doc: SpecDocument,
  onChange: (doc: SpecDocument) => void,
  onSyntaxError?: (broken: boolean) => void,
): DocumentText {
  const [format, setFormatState] = useState<DocumentFormat>("yaml");
  const [text, setText] = useState(() => formatDocument(doc, "yaml"));
  const [syntax, setSyntax] = useState<DocumentText["syntax"]>(null);
  const broken = syntax !== null;
  useEffect(() => onSyntaxError?.(broken), [broken, onSyntaxError]);
  return {
    text,
    format,
    syntax,
    replace: (next) => {
      onChange(next);
      setText(formatDocument(next, format));
      setSyntax(null);
    },
    onText: (next) => {
      setText(next);
      const parsed = parseDocumentText(next);
      if (parsed.ok) {
        setSyntax(null);
        onChange(parsed.doc);
      } else {
        setSyntax({ message: parsed.message, line: parsed.line });
      }
    },
    setFormat: (f) => {
      setFormatState(f);
      if (!syntax) setText(formatDocument(doc, f));
    },
  };
}

/** The text editor with its format switch and the document's syntax error or problems by field. */
export function DocumentTextPane({
  state,
  problems,
  label,
  validText,
}: {
  state: DocumentText;
  problems: readonly DocumentProblem[];
  label: string;
  validText: string;
}) {
  const { text, format, syntax } = state;
  return (
    <div className="editor-text">
      <div className="editor-head">
        <span className="muted small">Document</span>
        <fieldset className="segmented" aria-label="Editor format">
          <legend className="sr-only">Editor format</legend>
          {(["yaml", "json"] as const).map((f) => (
            <button
              key={f}
              type="button"
              className={format === f ? "on" : ""}
              aria-pressed={format === f}
              onClick={() => state.setFormat(f)}
            >
              {f.toUpperCase()}
            </button>
          ))}
        </fieldset>
      </div>
      <textarea
        className="code-editor"
        aria-label={label}
        aria-invalid={syntax || problems.length ? true : undefined}
        spellCheck={false}
        value={text}
        onChange={(e) => state.onText(e.target.value)}
        rows={22}
      />
      <div className="editor-problems" aria-live="polite">
        {syntax ? (
          <p className="field-error" role="alert">
            {syntax.line ? `line ${syntax.line}: ` : ""}
            {syntax.message}
          </p>
        ) : problems.length > 0 ? (
          <ul className="problem-list" role="alert">
            {problems.map((p) => (
              <li key={`${p.path}:${p.message}`}>
                <code>{p.path || "(document)"}</code> {p.message}
              </li>
            ))}
          </ul>
        ) : (
          <p className="ok-text">✓ {validText}</p>
        )}
      </div>
    </div>
  );
}
