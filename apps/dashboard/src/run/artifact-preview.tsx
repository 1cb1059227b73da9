import { artifactPreviewKind } from "@labtrack/core";
import type { Artifact } from "@labtrack/schemas";
import { useMemo, useState } from "react";
import { errorMessage } from "../api/error-message.ts";
import { formatBytes } from "../charts/format-number.ts";
import { Spinner } from "../components/states.tsx";
import { JsonTree } from "./json-tree.tsx";
import { useArtifactObjectUrl, useArtifactText } from "./use-artifact.ts";

/** Text shown of a log, CSV or other text file; the rest is left for the download. */
export const TEXT_PREVIEW_BYTES = 200 * 1024;
/** JSON formatted up to this size; a larger file is shown as text. */
export const JSON_PREVIEW_BYTES = 5 * 1024 * 1024;

function TruncationNote({ shown, size }: { shown: number; size: number }) {
  return (
    <p className="notice small" data-testid="preview-truncated">
      Showing the first {formatBytes(shown)} of {formatBytes(size)}. Download the file for the rest.
    </p>
  );
}

function TextPreview({ artifact }: { artifact: Artifact }) {
  const head = useArtifactText(artifact, TEXT_PREVIEW_BYTES);
  if (head.isPending) return <Spinner label="Loading text" />;
  if (head.error) return <p className="field-error">{errorMessage(head.error)}</p>;
  return (
    <>
      {head.data.truncated && <TruncationNote shown={head.data.bytesRead} size={artifact.size} />}
      <pre className="preview-text" data-testid="preview-text">
        {head.data.text}
      </pre>
    </>
  );
}

function JsonPreview({ artifact }: { artifact: Artifact }) {
  const formattable = artifact.size <= JSON_PREVIEW_BYTES;
  const head = useArtifactText(artifact, JSON_PREVIEW_BYTES, formattable);
  const [raw, setRaw] = useState(false);
  const parsed = useMemo(() => {
    if (!head.data || head.data.truncated) return null;
    try {
      return { value: JSON.parse(head.data.text) as unknown };
    } catch (error) {
      return { error: errorMessage(error) };
    }
  }, [head.data]);
  if (!formattable) {
    return (
      <>
        <p className="notice small">
          {formatBytes(artifact.size)} is too large to format (up to {formatBytes(JSON_PREVIEW_BYTES)}); shown
          as text.
        </p>
        <TextPreview artifact={artifact} />
      </>
    );
  }
  if (head.isPending) return <Spinner label="Loading JSON" />;
  if (head.error) return <p className="field-error">{errorMessage(head.error)}</p>;
  if (!parsed || "error" in parsed) {
    return (
      <>
        <p className="notice small">Not valid JSON ({parsed?.error ?? "cut short"}); shown as text.</p>
        <TextPreview artifact={artifact} />
      </>
    );
  }
  return (
    <>
      <fieldset className="segmented preview-switch" aria-label="JSON view">
        <legend className="sr-only">JSON view</legend>
        {(["Tree", "Text"] as const).map((view) => (
          <button
            key={view}
            type="button"
            className={raw === (view === "Text") ? "on" : ""}
            aria-pressed={raw === (view === "Text")}
            onClick={() => setRaw(view === "Text")}
          >
            {view}
          </button>
        ))}
      </fieldset>
      {raw ? (
        <pre className="preview-text" data-testid="preview-json-text">
          {JSON.stringify(parsed.value, null, 2)}
        </pre>
      ) : (
        <JsonTree value={parsed.value} />
      )}
    </>
  );
}

function ImagePreview({ artifact }: { artifact: Artifact }) {
  const image = useArtifactObjectUrl(artifact, true);
  if (image.status === "error") return <p className="field-error">{image.message}</p>;
  if (image.status !== "ready") return <Spinner label="Loading image" />;
  return (
    <div className="preview-image">
      <img src={image.url} alt={artifact.path} data-testid="preview-image" />
    </div>
  );
}

/** An artifact shown inline: an image, JSON as a tree, or the start of a text file. */
export function ArtifactPreview({ artifact, onClose }: { artifact: Artifact; onClose: () => void }) {
  const kind = artifactPreviewKind(artifact.path, artifact.contentType);
  return (
    <section className="panel artifact-preview" aria-label={`Preview of ${artifact.path}`}>
      <div className="panel-head">
        <h2 className="mono truncate" title={artifact.path}>
          {artifact.path}
        </h2>
        <span className="muted small">{formatBytes(artifact.size)}</span>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={onClose}
          aria-label="Close preview"
        >
          ✕
        </button>
      </div>
      {kind === "image" && <ImagePreview artifact={artifact} />}
      {kind === "json" && <JsonPreview artifact={artifact} />}
      {kind === "text" && <TextPreview artifact={artifact} />}
      {kind === null && <p className="muted">No preview for this kind of file; download it instead.</p>}
    </section>
  );
}
