/**
 * The runs table's column choice, remembered per project in localStorage, so a project opened
 * again (from the projects list, a bookmark, after a reload) shows the columns last picked there.
 */
const PREFIX = "labtrack.columns.";

export function rememberedColumns(project: string, storage: Storage | null = safeStorage()): string[] | null {
  try {
    const text = storage?.getItem(PREFIX + project);
    if (!text) return null;
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((id) => typeof id === "string") ? parsed : null;
  } catch {
    return null;
  }
}

/** Remembers `columns` for the project; null forgets the choice (back to the defaults). */
export function rememberColumns(
  project: string,
  columns: readonly string[] | null,
  storage: Storage | null = safeStorage(),
): void {
  try {
    if (columns === null) storage?.removeItem(PREFIX + project);
    else storage?.setItem(PREFIX + project, JSON.stringify(columns));
  } catch {
    // Storage full or refused (private mode): the choice still holds in the URL for this visit.
  }
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
