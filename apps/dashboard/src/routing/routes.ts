/** Every page of the app, parsed from the location's path. */
export type Route =
  | { page: "login" }
  | { page: "projects" }
  | { page: "runs"; project: string }
  | { page: "sweeps"; project: string }
  | { page: "sweep"; project: string; sweepId: string }
  | { page: "run"; runId: string; tab: RunTab }
  | { page: "compare" }
  | { page: "queue" }
  | { page: "runners" }
  | { page: "tokens" }
  | { page: "not-found"; path: string };

export const RUN_TABS = ["overview", "charts", "logs", "artifacts", "results"] as const;
export type RunTab = (typeof RUN_TABS)[number];

function segment(text: string | undefined): string {
  try {
    return decodeURIComponent(text ?? "");
  } catch {
    return text ?? "";
  }
}

export function parseRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean);
  const [first, second, third, fourth] = parts;
  if (parts.length === 0) return { page: "projects" };
  if (first === "login" && parts.length === 1) return { page: "login" };
  if (first === "compare" && parts.length === 1) return { page: "compare" };
  if (first === "queue" && parts.length === 1) return { page: "queue" };
  if (first === "runners" && parts.length === 1) return { page: "runners" };
  if (first === "tokens" && parts.length === 1) return { page: "tokens" };
  if (first === "projects" && second && parts.length === 2) return { page: "runs", project: segment(second) };
  if (first === "projects" && second && third === "sweeps") {
    if (parts.length === 3) return { page: "sweeps", project: segment(second) };
    if (fourth && parts.length === 4)
      return { page: "sweep", project: segment(second), sweepId: segment(fourth) };
  }
  if (first === "runs" && second && parts.length <= 3) {
    const tab = (RUN_TABS as readonly string[]).includes(third ?? "") ? (third as RunTab) : "overview";
    if (third !== undefined && tab !== third) return { page: "not-found", path: pathname };
    return { page: "run", runId: segment(second), tab };
  }
  return { page: "not-found", path: pathname };
}

export const paths = {
  projects: () => "/",
  runs: (project: string) => `/projects/${encodeURIComponent(project)}`,
  run: (runId: string, tab: RunTab = "overview") =>
    tab === "overview" ? `/runs/${runId}` : `/runs/${runId}/${tab}`,
  sweeps: (project: string) => `/projects/${encodeURIComponent(project)}/sweeps`,
  sweep: (project: string, sweepId: string) => `/projects/${encodeURIComponent(project)}/sweeps/${sweepId}`,
  compare: (runIds: string[]) => `/compare?runs=${runIds.join(",")}`,
  queue: () => "/queue",
  runners: () => "/runners",
  tokens: () => "/tokens",
  login: () => "/login",
};
