import { commandSpec, imageClassifierSpec, type JsonValue, queueEnqueueInput } from "@labtrack/schemas";
import { useMemo } from "react";
import { z } from "zod";
import { DocumentTextPane, useDocumentText } from "./document-text-pane.tsx";
import { specTemplate } from "./presets.ts";
import { type JsonSchema, SchemaForm } from "./schema-form.tsx";
import { type PathKey, type SpecDocument, setIn, validateDocument } from "./spec-document.ts";

export const toSchema = (schema: z.ZodType) =>
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
  const textState = useDocumentText(doc, onChange, onSyntaxError);
  const problems = useMemo(() => validateDocument(doc), [doc]);
  const problemMap = useMemo(() => new Map(problems.map((p) => [p.path, p.message])), [problems]);
  const spec = (doc.spec ?? {}) as Record<string, JsonValue>;
  const kind = typeof spec.kind === "string" ? spec.kind : "command";
  const update = textState.replace;
  const onField = (path: PathKey[], value: JsonValue | undefined) =>
    update(setIn(doc, path, value) as SpecDocument);

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
      <DocumentTextPane
        state={textState}
        problems={problems}
        label="Experiment as YAML or JSON"
        validText="Valid experiment"
      />
    </div>
  );
}

export function isValidDocument(doc: SpecDocument): boolean {
  return validateDocument(doc).length === 0;
}
