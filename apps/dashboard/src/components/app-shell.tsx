import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useApi } from "../api/api-context.tsx";
import { Link } from "../routing/location.tsx";
import { paths, type Route } from "../routing/routes.ts";
import { ThemeToggle } from "./theme-toggle.tsx";

function NavLink({ href, active, children }: { href: string; active: boolean; children: ReactNode }) {
  return (
    <Link
      href={href}
      className={active ? "nav-link active" : "nav-link"}
      aria-current={active ? "page" : undefined}
    >
      {children}
    </Link>
  );
}

/** Top bar (brand, sections, who is signed in, theme) around every signed-in page. */
export function AppShell({
  route,
  onSignOut,
  children,
}: {
  route: Route;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const { client } = useApi();
  const me = useQuery({
    queryKey: ["tokens.whoami"],
    queryFn: () => client.tokens.whoami.query(),
    staleTime: Infinity,
  });
  const inProjects =
    route.page === "projects" ||
    route.page === "runs" ||
    route.page === "run" ||
    route.page === "compare" ||
    route.page === "sweeps" ||
    route.page === "sweep";
  return (
    <div className="shell">
      <header className="topbar">
        <Link href={paths.projects()} className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Labtrack
        </Link>
        <nav className="nav" aria-label="Sections">
          <NavLink href={paths.projects()} active={inProjects}>
            Projects
          </NavLink>
          <NavLink href={paths.queue()} active={route.page === "queue"}>
            Queue
          </NavLink>
          <NavLink href={paths.runners()} active={route.page === "runners"}>
            Runners
          </NavLink>
          {me.data?.scope === "admin" && (
            <NavLink href={paths.tokens()} active={route.page === "tokens"}>
              Tokens
            </NavLink>
          )}
        </nav>
        <div className="topbar-end">
          {me.data && (
            <span className="who" title={`signed in with token "${me.data.name}" (${me.data.scope})`}>
              {me.data.name}
              <span className="who-scope">{me.data.scope}</span>
            </span>
          )}
          <ThemeToggle />
          <button type="button" className="btn btn-ghost" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}
