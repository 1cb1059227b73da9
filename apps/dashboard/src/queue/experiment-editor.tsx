import { commandSpec, imageClassifierSpec, type JsonValue, queueEnqueueInput } from "@labtrack/schemas";
import { useEffect, useMemo, useState } from "react";
import { z } from "zod";
import { specTemplate } from "./presets.ts";
import { type JsonSchema, SchemaForm } from "./schema-form.tsx";
import {
  formatDocument,
  type PathKey,
  parseDocumentText,
  type SpecDocument,
  setIn,
  validateDocument,
} from "./spec-document.ts";

const toSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;

/** JSON Schemas of the enqueue input (without its spec) and of each spec kind, built once. */
function useSchemas() {
  return useMemo(() => {
    return {
      basics: toSchema(queueEnqueueInput.pick({ project: true, name: true, group: true, tags: true })),
      scheduling: toSchema(
        queueEnqueueInput.pick({ queue: true, priority: true, requirements: true, maxAttempts: true }),
      ),
      kinds: { command: toSchema(commandSpec), "image-classifier": toSchema(imageClassifierSpec) } as Record<
        string,
        JsonSchema
      >,
    };
  }, []);
}

export interface ExperimentEditorProps {
  doc: SpecDocument;
  onChange: (doc: SpecDocument) => void;
  /**
   * True while the text does not parse: `doc` is then the last document that did, which must not
   * be queued in place of what the user typed.
   */
  onSyntaxError?: (broken: boolean) => void;
}

/**
 * The form generated from the spec schema and a YAML/JSON editor of the same document side by
 * side; both are checked against `queueEnqueueInput` as you type, problems named by field.
 */
export function ExperimentEditor({ doc, onChange, onSyntaxError }: ExperimentEditorProps) {
  const schemas = useSchemas();
  const [format, setFormat] = useState<"yaml" | "json">("yaml");
  const [text, setText] = useState(() => formatDocument(doc, "yaml"));
  const [syntax, setSyntax] = useState<{ message: string; line: number | null } | null>(null);
  const broken = syntax !== null;
  useEffect(() => onSyntaxError?.(broken), [broken, onSyntaxError]);
  const problems = useMemo(() => validateDocument(doc), [doc]);
  const problemMap = useMemo(() => new Map(problems.map((p) => [p.path, p.message])), [problems]);
  const spec = (doc.spec ?? {}) as Record<string, JsonValue>;
  const kind = typeof spec.kind === "string" ? spec.kind : "command";

  const update = (next: SpecDocument) => {
    onChange(next);
    setText(formatDocument(next, format));
    setSyntax(null);
  };
  const onField = (path: PathKey[], value: JsonValue | undefined) =>
    update(setIn(doc, path, value) as SpecDocument);
  const onText = (next: string) => {
    setText(next);
    const parsed = parseDocumentText(next);
    if (parsed.ok) {
      setSyntax(null);
      onChange(parsed.doc);
    } else {
      setSyntax({ message: parsed.message, line: parsed.line });
    }
  };

  return (
    <div className="experiment-editor">
      <div className="editor-form">
        <SchemaForm schema={schemas.basics} value={doc} path={[]} onChange={onField} problems={problemMap} />
        <div className="form-field">
          <label htmlFor="spec-kind">experiment kind</label>
          <select
            id="spec-kind"
            value={kind}
            onChange={(e) => update({ ...doc, spec: specTemplate(e.target.value) })}
          >
            <option value="command">command — a command line on the runner</option>
            <option value="image-classifier">image-classifier — built-in tfjs transfer learning</option>
          </select>
        </div>
        {schemas.kinds[kind] && (
          <SchemaForm
            schema={schemas.kinds[kind]}
            value={spec}
            path={["spec"]}
            onChange={onField}
            problems={problemMap}
          />
        )}
      </div>
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
                onClick={() => {
                  setFormat(f);
                  if (!syntax) setText(formatDocument(doc, f));
                }}
              >
                {f.toUpperCase()}
              </button>
            ))}
          </fieldset>
        </div>
        <textarea
          className="code-editor"
          aria-label="Experiment as YAML or JSON"
          aria-invalid={syntax || problems.length ? true : undefined}
          spellCheck={false}
          value={text}
          onChange={(e) => onText(e.target.value)}
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
            <p className="ok-text">✓ Valid experiment</p>
          )}
        </div>
      </div>
    </div>
  );
}

export function isValidDocument(doc: SpecDocument): boolean {
  return validateDocument(doc).length === 0;
}
