import type { ReactNode } from "react";

/** Children listed per object or array before "… n more" (a 100,000-element array stays usable). */
const CHILDREN_SHOWN = 200;
/** Levels open at first; deeper ones open on a click. */
const OPEN_DEPTH = 2;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function Scalar({ value }: { value: Exclude<Json, Json[] | { [key: string]: Json }> }) {
  if (value === null) return <span className="json-null">null</span>;
  if (typeof value === "string") return <span className="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === "number") return <span className="json-number">{String(value)}</span>;
  return <span className="json-bool">{String(value)}</span>;
}

function Node({ name, value, depth }: { name: ReactNode; value: Json; depth: number }) {
  if (value === null || typeof value !== "object") {
    return (
      <div className="json-row">
        {name}
        <Scalar value={value} />
      </div>
    );
  }
  const entries: [string, Json][] = Array.isArray(value)
    ? value.map((v, i): [string, Json] => [String(i), v])
    : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    return (
      <div className="json-row">
        {name}
        <span className="json-punct">{`${open}${close}`}</span>
      </div>
    );
  }
  const shown = entries.slice(0, CHILDREN_SHOWN);
  return (
    <details className="json-node" open={depth < OPEN_DEPTH}>
      <summary>
        {name}
        <span className="json-punct">{open}</span>
        <span className="json-count">
          {entries.length.toLocaleString("en-US")} {Array.isArray(value) ? "items" : "keys"}
        </span>
      </summary>
      <div className="json-children">
        {shown.map(([key, child]) => (
          <Node
            key={key}
            depth={depth + 1}
            value={child}
            name={<span className={Array.isArray(value) ? "json-index" : "json-key"}>{key}: </span>}
          />
        ))}
        {entries.length > shown.length && (
          <div className="json-more muted">
            … {(entries.length - shown.length).toLocaleString("en-US")} more (download the file for all)
          </div>
        )}
      </div>
      <span className="json-punct">{close}</span>
    </details>
  );
}

/** Parsed JSON as a tree: objects and arrays fold, the first levels open. */
export function JsonTree({ value }: { value: unknown }) {
  return (
    <div className="json-tree mono" data-testid="json-tree">
      <Node name={null} value={value as Json} depth={0} />
    </div>
  );
}
