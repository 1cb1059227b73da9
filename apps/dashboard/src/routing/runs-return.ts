import { paths } from "./routes.ts";

/**
 * Where a breadcrumb back to a project goes: its runs page with the query (filter, sort, grouping,
 * columns) it last had in this tab, so leaving a run or Compare for the project finds the table
 * as it was. Kept in sessionStorage: it survives a reload of the run page, and each tab has its own.
 */
const PREFIX = "labtrack.runs-query.";

/** Called by the runs page whenever its query changes. */
export function rememberRunsQuery(project: string, search: string): void {
  try {
    if (search) window.sessionStorage.setItem(PREFIX + project, search);
    else window.sessionStorage.removeItem(PREFIX + project);
  } catch {
    // No session storage: the breadcrumb opens the project's runs page as it starts.
  }
}

export function runsPageHref(project: string): string {
  let search: string | null = null;
  try {
    search = window.sessionStorage.getItem(PREFIX + project);
  } catch {
    search = null;
  }
  const text = search ? new URLSearchParams(search).toString() : "";
  return `${paths.runs(project)}${text ? `?${text}` : ""}`;
}
