import type { JsonValue } from "@labtrack/schemas";
import { useId } from "react";
import { getIn, type PathKey } from "./spec-document.ts";

/** The part of JSON Schema that zod's `toJSONSchema` produces for our spec schemas. */
export interface JsonSchema {
  type?: string;
  const?: JsonValue;
  enum?: JsonValue[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  description?: string;
  default?: JsonValue;
  minimum?: number;
  maximum?: number;
}

export interface SchemaFormProps {
  schema: JsonSchema;
  value: JsonValue | undefined;
  path: PathKey[];
  onChange: (path: PathKey[], value: JsonValue | undefined) => void;
  /** Problems by dotted path, shown under their field. */
  problems: ReadonlyMap<string, string>;
}

/** `min_delta` and `minGpuMemoryMb` read as "min delta" and "min gpu memory mb". */
const label = (key: PathKey) =>
  String(key)
    .replaceAll("_", " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();

function Hint({ schema, problem, id }: { schema: JsonSchema; problem?: string | undefined; id: string }) {
  if (problem) {
    return (
      <span className="field-error" id={id} role="alert">
        {problem}
      </span>
    );
  }
  return schema.description ? (
    <span className="field-hint" id={id}>
      {schema.description}
    </span>
  ) : null;
}

function placeholderOf(schema: JsonSchema): string {
  return schema.default === undefined
    ? ""
    : String(typeof schema.default === "object" ? JSON.stringify(schema.default) : schema.default);
}

/** One field, chosen by the schema's type; objects recurse, unusual shapes edit as JSON. */
function SchemaField({ schema, value, path, onChange, problems, name }: SchemaFormProps & { name: PathKey }) {
  const id = useId();
  const dotted = path.map(String).join(".");
  const problem = problems.get(dotted);
  const hintId = `${id}-hint`;
  const common = { id, "aria-describedby": hintId, "aria-invalid": problem ? true : undefined };

  if (schema.const !== undefined) return null;
  if (schema.type === "object" && schema.properties) {
    return (
      <details className="form-group" open={path.length <= 2}>
        <summary>{label(name)}</summary>
        <Hint schema={schema} problem={problem} id={hintId} />
        <SchemaForm schema={schema} value={value} path={path} onChange={onChange} problems={problems} />
      </details>
    );
  }
  let control: React.ReactNode;
  if (schema.enum) {
    control = (
      <select
        {...common}
        value={value === undefined || value === null ? "" : String(value)}
        onChange={(e) => onChange(path, e.target.value === "" ? undefined : e.target.value)}
      >
        <option value="">{schema.default !== undefined ? `default (${placeholderOf(schema)})` : "—"}</option>
        {schema.enum.map((option) => (
          <option key={String(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  } else if (schema.type === "boolean") {
    const checked = typeof value === "boolean" ? value : schema.default === true;
    control = (
      <input
        {...common}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(path, e.target.checked)}
      />
    );
  } else if (schema.type === "integer" || schema.type === "number") {
    control = (
      <input
        {...common}
        type="number"
        step={schema.type === "integer" ? 1 : "any"}
        min={schema.minimum}
        max={schema.maximum}
        placeholder={placeholderOf(schema)}
        value={typeof value === "number" ? value : ""}
        onChange={(e) => onChange(path, e.target.value === "" ? undefined : Number(e.target.value))}
      />
    );
  } else if (
    schema.type === "string" ||
    (schema.anyOf?.some((s) => s.type === "string") && typeof value !== "object")
  ) {
    const long = name === "command" || name === "path";
    control = long ? (
      <textarea
        {...common}
        rows={2}
        spellCheck={false}
        placeholder={placeholderOf(schema)}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => onChange(path, e.target.value === "" ? undefined : e.target.value)}
      />
    ) : (
      <input
        {...common}
        spellCheck={false}
        placeholder={placeholderOf(schema)}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => onChange(path, e.target.value === "" ? undefined : e.target.value)}
      />
    );
  } else if (schema.type === "array" && schema.items?.type === "string") {
    control = (
      <input
        {...common}
        placeholder="comma, separated"
        value={Array.isArray(value) ? value.join(", ") : ""}
        onChange={(e) => {
          const items = e.target.value
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
          onChange(path, items.length ? items : undefined);
        }}
      />
    );
  } else {
    // Arrays of objects, unions and maps: edited as JSON in place (the YAML editor is beside).
    control = (
      <input
        {...common}
        className="mono"
        spellCheck={false}
        placeholder={placeholderOf(schema)}
        defaultValue={value === undefined || value === null ? "" : JSON.stringify(value)}
        key={JSON.stringify(value ?? null)}
        onBlur={(e) => {
          const text = e.target.value.trim();
          if (text === "") return onChange(path, undefined);
          try {
            onChange(path, JSON.parse(text) as JsonValue);
          } catch {
            e.target.setCustomValidity("not valid JSON");
            e.target.reportValidity();
          }
        }}
        onChange={(e) => e.target.setCustomValidity("")}
      />
    );
  }
  return (
    <div className={`form-field ${schema.type === "boolean" ? "form-field-inline" : ""}`}>
      <label htmlFor={id}>{label(name)}</label>
      {control}
      <Hint schema={schema} problem={problem} id={hintId} />
    </div>
  );
}

/** A form for an object schema: one field per property, required ones first. */
export function SchemaForm({ schema, value, path, onChange, problems }: SchemaFormProps) {
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties ?? {}).sort(
    ([a], [b]) => Number(required.has(b)) - Number(required.has(a)),
  );
  return (
    <div className="schema-form">
      {entries.map(([key, child]) => (
        <SchemaField
          key={key}
          name={key}
          schema={child}
          value={getIn(value, [key])}
          path={[...path, key]}
          onChange={onChange}
          problems={problems}
        />
      ))}
    </div>
  );
}
