import type { ProjectGrant } from "@labtrack/schemas";

/** POSIX shell single-quoting, so a pasted command keeps the value whatever it holds. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** The README's runner command, filled in with this tracker's address, the new token and its name. */
export function runnerCommand(trackerUrl: string, token: string, name: string): string {
  return (
    `LABTRACK_URL=${shellQuote(trackerUrl)} LABTRACK_TOKEN=${shellQuote(token)} \\\n` +
    `  pnpm --filter @labtrack/gpu-runner start -- --name ${shellQuote(name)}`
  );
}

/** "every project", or "flowers (write), birds (read)". */
export function describeGrants(projects: readonly ProjectGrant[] | null): string {
  if (projects === null) return "every project";
  return projects.map((grant) => `${grant.project} (${grant.access})`).join(", ");
}

/**
 * Parses the project-limit field: "flowers, birds:read" — each a project slug, optionally
 * ":read" or ":write" (default write). Empty: no limit (every project).
 */
export function parseGrants(
  text: string,
): { ok: true; projects: ProjectGrant[] | undefined } | { ok: false; error: string } {
  const items = text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) return { ok: true, projects: undefined };
  const projects: ProjectGrant[] = [];
  for (const item of items) {
    const [project = "", access = "write", ...rest] = item.split(":");
    if (rest.length > 0 || (access !== "read" && access !== "write")) {
      return { ok: false, error: `'${item}': write a project as name, name:read or name:write` };
    }
    if (!project) return { ok: false, error: `'${item}': the project name is missing` };
    if (projects.some((grant) => grant.project === project)) {
      return { ok: false, error: `'${project}' is listed twice` };
    }
    projects.push({ project, access });
  }
  return { ok: true, projects };
}
