/** The API's address of a run's artifact (each path segment encoded). */
export function artifactUrl(runId: string, path: string): string {
  return `/api/artifacts/${runId}/${path.split("/").map(encodeURIComponent).join("/")}`;
}

/**
 * Fetches an artifact with the bearer header (an `<a href>` or `<img src>` cannot send one); a
 * refusal becomes an Error with the server's message.
 */
export async function fetchArtifact(
  token: string,
  runId: string,
  path: string,
  signal?: AbortSignal,
): Promise<Response> {
  const response = await fetch(artifactUrl(runId, path), {
    headers: { authorization: `Bearer ${token}` },
    signal,
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `download failed: HTTP ${response.status}`);
  }
  return response;
}

/** Downloads an artifact: fetch to a blob, then save it through a temporary object URL. */
export async function downloadArtifact(token: string, runId: string, path: string): Promise<void> {
  const blob = await (await fetchArtifact(token, runId, path)).blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = path.split("/").pop() ?? "artifact";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The first bytes of a body: at most `limit`, and whether there was more (the rest is not read). */
export async function readHead(
  response: Response,
  limit: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const reader = response.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(0), truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > limit) {
      chunks.push(value.subarray(0, limit - size));
      size = limit;
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    size += value.length;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { bytes, truncated };
}
