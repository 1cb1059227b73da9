import type { Artifact } from "@labtrack/schemas";
import { useEffect, useRef, useState } from "react";
import { formatBytes } from "../charts/format-number.ts";
import { useArtifactObjectUrl } from "./use-artifact.ts";

/** Thumbnails drawn at first; the rest on "Show all" (each still loads only once scrolled to). */
const FIRST_SHOWN = 48;
/** Larger images are not fetched for a thumbnail, only when opened. */
const THUMBNAIL_MAX_BYTES = 16 * 1024 * 1024;

/** True once the element has come near the viewport (and stays true). */
function useSeen<T extends Element>(): [React.RefObject<T | null>, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element || seen) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setSeen(true);
      },
      { rootMargin: "200px" },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [seen]);
  return [ref, seen];
}

function Thumbnail({ artifact, onOpen }: { artifact: Artifact; onOpen: () => void }) {
  const [ref, seen] = useSeen<HTMLButtonElement>();
  const small = artifact.size <= THUMBNAIL_MAX_BYTES;
  const image = useArtifactObjectUrl(artifact, seen && small);
  const name = artifact.path.split("/").pop() ?? artifact.path;
  return (
    <button
      ref={ref}
      type="button"
      className="thumb"
      title={`${artifact.path} · ${formatBytes(artifact.size)}`}
      aria-label={`Open ${artifact.path}`}
      onClick={onOpen}
    >
      <span className="thumb-frame">
        {image.status === "ready" && <img src={image.url} alt={artifact.path} data-testid="thumbnail" />}
        {image.status === "error" && <span className="field-error small">{image.message}</span>}
        {!small && <span className="muted small">{formatBytes(artifact.size)}: open to load</span>}
      </span>
      <span className="thumb-name mono">{name}</span>
    </button>
  );
}

function Lightbox({
  artifact,
  index,
  count,
  onIndex,
  onClose,
}: {
  artifact: Artifact;
  index: number;
  count: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const image = useArtifactObjectUrl(artifact, true);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  const step = (delta: number) => onIndex((index + delta + count) % count);
  return (
    <dialog
      ref={dialog}
      className="lightbox"
      aria-label={artifact.path}
      onClose={onClose}
      onKeyDown={(event) => {
        if (event.key === "ArrowRight") step(1);
        if (event.key === "ArrowLeft") step(-1);
      }}
      onClick={(event) => {
        // A click on the backdrop (the dialog itself, outside its content) closes it.
        if (event.target === event.currentTarget) dialog.current?.close();
      }}
    >
      <div className="lightbox-body">
        <div className="lightbox-head">
          <span className="mono truncate">{artifact.path}</span>
          <span className="muted small">
            {index + 1} / {count} · {formatBytes(artifact.size)}
          </span>
          <span className="lightbox-actions">
            <button
              type="button"
              className="btn btn-small"
              onClick={() => step(-1)}
              aria-label="Previous image"
            >
              ←
            </button>
            <button type="button" className="btn btn-small" onClick={() => step(1)} aria-label="Next image">
              →
            </button>
            <button type="button" className="btn btn-small" onClick={() => dialog.current?.close()}>
              Close
            </button>
          </span>
        </div>
        <div className="lightbox-image">
          {image.status === "ready" && (
            <img src={image.url} alt={artifact.path} data-testid="lightbox-image" />
          )}
          {image.status === "error" && <p className="field-error">{image.message}</p>}
          {(image.status === "loading" || image.status === "idle") && <span className="muted">Loading…</span>}
        </div>
      </div>
    </dialog>
  );
}

/** A run's image artifacts as a grid of thumbnails, fetched as they scroll into view; click to enlarge. */
export function ArtifactImageGrid({ images }: { images: Artifact[] }) {
  const [showAll, setShowAll] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const shown = showAll ? images : images.slice(0, FIRST_SHOWN);
  const opened = open === null ? undefined : images[open];
  return (
    <section className="panel image-grid-panel" aria-label="Images">
      <h2>
        Images <span className="muted small">{images.length.toLocaleString("en-US")}</span>
      </h2>
      <div className="image-grid" data-testid="image-grid">
        {shown.map((artifact, i) => (
          <Thumbnail key={artifact.path} artifact={artifact} onOpen={() => setOpen(i)} />
        ))}
      </div>
      {shown.length < images.length && (
        <button type="button" className="btn btn-small image-grid-more" onClick={() => setShowAll(true)}>
          Show all {images.length.toLocaleString("en-US")} images
        </button>
      )}
      {opened && open !== null && (
        <Lightbox
          artifact={opened}
          index={open}
          count={images.length}
          onIndex={setOpen}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}
