import { imageMediaType } from "@labtrack/core";
import type { Artifact } from "@labtrack/schemas";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { fetchArtifact, readHead } from "../api/artifact-download.ts";
import { errorMessage } from "../api/error-message.ts";

export type ObjectUrlState =
  | { status: "idle" }
  | { status: "loading" }
  | { status: "ready"; url: string }
  | { status: "error"; message: string };

/**
 * An artifact's bytes as an object URL for an `<img>` (which cannot send the bearer header),
 * fetched while `enabled`, revoked when the component unmounts or the artifact changes. The blob
 * is typed by the path's extension, so an SVG is only ever an image: scripts in it never run.
 */
export function useArtifactObjectUrl(artifact: Artifact, enabled: boolean): ObjectUrlState {
  const { token } = useApi();
  const [state, setState] = useState<ObjectUrlState>({ status: "idle" });
  const { runId, path, sha256 } = artifact;
  // biome-ignore lint/correctness/useExhaustiveDependencies: sha256 refetches an artifact overwritten at the same path.
  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    let url: string | null = null;
    setState({ status: "loading" });
    fetchArtifact(token, runId, path, abort.signal)
      .then((response) => response.blob())
      .then((blob) => {
        if (abort.signal.aborted) return;
        const type = imageMediaType(path) ?? blob.type;
        url = URL.createObjectURL(new Blob([blob], { type }));
        setState({ status: "ready", url });
      })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setState({ status: "error", message: errorMessage(error) });
      });
    return () => {
      abort.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [token, runId, path, sha256, enabled]);
  return state;
}

/** The start of an artifact as text: at most `limit` bytes, and whether the file is longer. */
export function useArtifactText(artifact: Artifact, limit: number, enabled = true) {
  const { token } = useApi();
  return useQuery({
    queryKey: ["artifact.head", artifact.runId, artifact.path, artifact.sha256, limit],
    queryFn: async ({ signal }) => {
      const response = await fetchArtifact(token, artifact.runId, artifact.path, signal);
      const { bytes, truncated } = await readHead(response, limit);
      // `stream`: a character cut in half at the limit is left out rather than shown as �.
      const text = new TextDecoder().decode(bytes, { stream: truncated });
      return { text, truncated, bytesRead: bytes.length };
    },
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 60_000,
  });
}
