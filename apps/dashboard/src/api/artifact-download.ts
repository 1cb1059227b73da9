/**
 * Downloads an artifact with the bearer header (an `<a href>` cannot send one): fetch to a blob,
 * then save it through a temporary object URL.
 */
export async function downloadArtifact(token: string, runId: string, path: string): Promise<void> {
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  const response = await fetch(`/api/artifacts/${runId}/${encoded}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `download failed: HTTP ${response.status}`);
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = path.split("/").pop() ?? "artifact";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
