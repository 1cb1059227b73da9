/** How the dashboard can show an artifact inline; `null`: download only. */
export type ArtifactPreviewKind = "image" | "json" | "text";

const BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  svg: "image/svg+xml",
  json: "application/json",
  jsonl: "application/x-ndjson",
  ndjson: "application/x-ndjson",
  txt: "text/plain; charset=utf-8",
  log: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  tsv: "text/tab-separated-values; charset=utf-8",
  yaml: "application/yaml",
  yml: "application/yaml",
  html: "text/html; charset=utf-8",
  pdf: "application/pdf",
  zip: "application/zip",
  tar: "application/x-tar",
  gz: "application/gzip",
};

/** What clients send when they do not know (the SDKs' default); the path's extension says more. */
const UNKNOWN_TYPES = new Set(["", "application/octet-stream", "binary/octet-stream"]);

function extensionOf(path: string): string {
  const name = path.split("/").pop() ?? "";
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
}

/**
 * The media type an artifact is served with: the one it was uploaded with, unless that says
 * nothing (absent or `application/octet-stream`), then the one its extension names.
 */
export function artifactMediaType(path: string, uploaded: string | null): string {
  const declared = (uploaded ?? "").trim();
  if (!UNKNOWN_TYPES.has(declared.split(";")[0]?.trim().toLowerCase() ?? "")) return declared;
  return BY_EXTENSION[extensionOf(path)] ?? "application/octet-stream";
}

const PREVIEW_IMAGES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif", "image/svg+xml"]);

/**
 * Which inline preview fits an artifact, from its extension first (an upload's declared type may
 * be wrong, and an image is only ever shown as an `<img>`), then its media type.
 */
export function artifactPreviewKind(path: string, uploaded: string | null): ArtifactPreviewKind | null {
  const byExtension = BY_EXTENSION[extensionOf(path)];
  const type = (byExtension ?? artifactMediaType(path, uploaded)).split(";")[0]?.trim().toLowerCase() ?? "";
  if (PREVIEW_IMAGES.has(type)) return "image";
  if (type === "application/json" || type.endsWith("+json")) return "json";
  if (type.startsWith("text/") || type === "application/x-ndjson" || type === "application/yaml")
    return "text";
  return null;
}

/** The image type of a path by its extension (what an `<img>` of its bytes is told), or null. */
export function imageMediaType(path: string): string | null {
  const type = BY_EXTENSION[extensionOf(path)];
  return type && PREVIEW_IMAGES.has(type) ? type : null;
}
