import type { ProjectAccess, ProjectGrant } from "@labtrack/schemas";

/**
 * Whether a token limited to `grants` may use `project` as `access` asks. `null` grants mean the
 * token is not limited (every project); `write` includes `read`.
 */
export function projectAccessAllows(
  grants: readonly ProjectGrant[] | null,
  project: string,
  access: ProjectAccess,
): boolean {
  if (grants === null) return true;
  const grant = grants.find((g) => g.project === project);
  if (!grant) return false;
  return access === "read" || grant.access === "write";
}

/** The projects a limited token may use as `access` asks; null when it may use every project. */
export function projectsAllowed(
  grants: readonly ProjectGrant[] | null,
  access: ProjectAccess,
): string[] | null {
  if (grants === null) return null;
  return grants.filter((g) => access === "read" || g.access === "write").map((g) => g.project);
}
