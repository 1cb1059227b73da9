import { artifactPreviewKind } from "@labtrack/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { downloadArtifact } from "../api/artifact-download.ts";
import { errorMessage } from "../api/error-message.ts";
import { formatBytes, formatRelativeTime } from "../charts/format-number.ts";
import { EmptyState, ErrorState, SkeletonRows } from "../components/states.tsx";
import { ArtifactImageGrid } from "./artifact-image-grid.tsx";
import { ArtifactPreview } from "./artifact-preview.tsx";

/**
 * Files a run stored (checkpoints, models, plots), downloaded with the bearer token: its images as
 * a grid, any image, JSON or text file previewed beside the list.
 */
export function RunArtifacts({ runId }: { runId: string }) {
  const { client, token } = useApi();
  const artifacts = useQuery({
    queryKey: ["artifacts.list", runId],
    queryFn: () => client.artifacts.list.query({ runId }),
  });
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [previewPath, setPreviewPath] = useState<string | null>(null);
  const images = useMemo(
    () => (artifacts.data ?? []).filter((a) => artifactPreviewKind(a.path, a.contentType) === "image"),
    [artifacts.data],
  );
  const download = async (path: string) => {
    setBusy(path);
    setFailure(null);
    try {
      await downloadArtifact(token, runId, path);
    } catch (error) {
      setFailure(`${path}: ${errorMessage(error)}`);
    } finally {
      setBusy(null);
    }
  };
  if (artifacts.isPending) return <SkeletonRows rows={3} />;
  if (artifacts.error) return <ErrorState error={artifacts.error} retry={() => void artifacts.refetch()} />;
  if (artifacts.data.length === 0) {
    return (
      <EmptyState title="No artifacts">
        <p>Checkpoints, exported models and files a run uploads appear here.</p>
      </EmptyState>
    );
  }
  const total = artifacts.data.reduce((n, a) => n + a.size, 0);
  const previewed = artifacts.data.find((a) => a.path === previewPath);
  return (
    <div className="artifacts-tab">
      {images.length > 0 && <ArtifactImageGrid images={images} />}
      <div className={previewed ? "artifacts-split" : undefined}>
        <section className="panel">
          <h2>
            Artifacts{" "}
            <span className="muted small">
              {artifacts.data.length} files · {formatBytes(total)}
            </span>
          </h2>
          {failure && (
            <p className="field-error" role="alert">
              {failure}
            </p>
          )}
          <div className="table-scroll">
            <table className="kv-table">
              <thead>
                <tr>
                  <th scope="col">path</th>
                  <th scope="col">kind</th>
                  <th scope="col" className="num">
                    size
                  </th>
                  <th scope="col">stored</th>
                  <th scope="col">
                    <span className="sr-only">Preview and download</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {artifacts.data.map((artifact) => (
                  <tr key={artifact.path} className={artifact.path === previewPath ? "selected" : undefined}>
                    <td className="mono" title={`sha256 ${artifact.sha256}`}>
                      {artifact.path}
                    </td>
                    <td>
                      <span className="tag">{artifact.kind}</span>
                    </td>
                    <td className="mono num">{formatBytes(artifact.size)}</td>
                    <td className="muted">{formatRelativeTime(artifact.createdAt)}</td>
                    <td className="artifact-actions">
                      {artifactPreviewKind(artifact.path, artifact.contentType) !== null && (
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-pressed={artifact.path === previewPath}
                          aria-label={`Preview ${artifact.path}`}
                          onClick={() => setPreviewPath(artifact.path === previewPath ? null : artifact.path)}
                        >
                          Preview
                        </button>
                      )}
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={busy === artifact.path}
                        onClick={() => void download(artifact.path)}
                      >
                        {busy === artifact.path ? "Downloading…" : "Download"}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        {previewed && (
          <ArtifactPreview key={previewed.path} artifact={previewed} onClose={() => setPreviewPath(null)} />
        )}
      </div>
    </div>
  );
}
