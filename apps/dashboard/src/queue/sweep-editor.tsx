import { commandSpec, imageClassifierSpec, type JsonValue, sweepConfigFields } from "@labtrack/schemas";
import { useMemo } from "react";
import { DocumentTextPane, useDocumentText } from "./document-text-pane.tsx";
import { toSchema } from "./experiment-editor.tsx";
import { specTemplate } from "./presets.ts";
import { type JsonSchema, SchemaForm } from "./schema-form.tsx";
import { type PathKey, type SpecDocument, setIn } from "./spec-document.ts";
import { validateSweepDocument } from "./sweep-document.ts";

function useSweepSchemas() {
  return useMemo(
    () => ({
      basics: toSchema(
        sweepConfigFields.pick({
          name: true,
          method: true,
          metric: true,
          run_cap: true,
          concurrency: true,
          parameters: true,
          early_terminate: true,
          seed: true,
        }),
      ),
      scheduling: toSchema(sweepConfigFields.pick({ queue: true, priority: true, requirements: true })),
      kinds: { command: toSchema(commandSpec), "image-classifier": toSchema(imageClassifierSpec) } as Record<
        string,
        JsonSchema
      >,
    }),
    [],
  );
}

/**
 * A sweep.yaml as a form generated from the sweep schema (W&B's keys plus `spec`, `concurrency`,
 * `queue`, `requirements`) beside its YAML/JSON text; both checked as you type against the schema
 * `sweeps.create` uses, problems named by field.
 */
export function SweepEditor({
  doc,
  onChange,
  onSyntaxError,
}: {
  doc: SpecDocument;
  onChange: (doc: SpecDocument) => void;
  onSyntaxError?: (broken: boolean) => void;
}) {
  const schemas = useSweepSchemas();
  const textState = useDocumentText(doc, onChange, onSyntaxError);
  const problems = useMemo(() => validateSweepDocument(doc), [doc]);
  const problemMap = useMemo(() => new Map(problems.map((p) => [p.path, p.message])), [problems]);
  const spec = (doc.spec ?? {}) as Record<string, JsonValue>;
  const kind = typeof spec.kind === "string" ? spec.kind : "command";
  const onField = (path: PathKey[], value: JsonValue | undefined) =>
    textState.replace(setIn(doc, path, value) as SpecDocument);
  return (
    <div className="experiment-editor">
      <div className="editor-form">
        <SchemaForm schema={schemas.basics} value={doc} path={[]} onChange={onField} problems={problemMap} />
        <SchemaForm
          schema={schemas.scheduling}
          value={doc}
          path={[]}
          onChange={onField}
          problems={problemMap}
        />
        <div className="form-field">
          <label htmlFor="sweep-spec-kind">base experiment kind</label>
          <select
            id="sweep-spec-kind"
            value={kind}
            onChange={(e) => textState.replace({ ...doc, spec: specTemplate(e.target.value) })}
          >
            <option value="command">command — a command line; ${"{param}"} in its arguments</option>
            <option value="image-classifier">
              image-classifier — parameters are dotted keys of the spec
            </option>
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
        label="Sweep as YAML or JSON"
        validText="Valid sweep"
      />
    </div>
  );
}
