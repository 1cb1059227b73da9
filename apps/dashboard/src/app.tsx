import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { ApiProvider } from "./api/api-context.tsx";
import { clearToken, readToken } from "./api/token-store.ts";
import { createApi } from "./api/trpc-client.ts";
import { AppShell } from "./components/app-shell.tsx";
import { Spinner } from "./components/states.tsx";
import { CompareView } from "./pages/compare-page.tsx";
import { LoginPage } from "./pages/login-page.tsx";
import { NotFoundPage } from "./pages/not-found-page.tsx";
import { ProjectsPage } from "./pages/projects-page.tsx";
import { RunsPage } from "./pages/runs-page.tsx";
import { navigate, useLocation } from "./routing/location.tsx";
import { parseRoute, type Route } from "./routing/routes.ts";

// Loaded when first opened, so the runs table and Compare start sooner; the experiment editor
// brings a YAML parser and JSON-Schema generation.
const QueuePage = lazy(() => import("./pages/queue-page.tsx").then((m) => ({ default: m.QueuePage })));
const RunPage = lazy(() => import("./pages/run-page.tsx").then((m) => ({ default: m.RunPage })));
const TokensPage = lazy(() => import("./pages/tokens-page.tsx").then((m) => ({ default: m.TokensPage })));
// The sweep pages bring ECharts (parallel coordinates, scatter).
const SweepPage = lazy(() => import("./pages/sweep-page.tsx").then((m) => ({ default: m.SweepPage })));
const SweepsPage = lazy(() => import("./pages/sweeps-page.tsx").then((m) => ({ default: m.SweepsPage })));
const RunnersPage = lazy(() => import("./pages/runners-page.tsx").then((m) => ({ default: m.RunnersPage })));

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "projects":
      return <ProjectsPage />;
    case "runs":
      return <RunsPage key={route.project} project={route.project} />;
    case "run":
      return <RunPage key={route.runId} runId={route.runId} tab={route.tab} />;
    case "sweeps":
      return <SweepsPage key={route.project} project={route.project} />;
    case "sweep":
      return <SweepPage key={route.sweepId} project={route.project} sweepId={route.sweepId} />;
    case "compare":
      return <CompareView />;
    case "queue":
      return <QueuePage />;
    case "runners":
      return <RunnersPage />;
    case "tokens":
      return <TokensPage />;
    default:
      return <NotFoundPage path={route.page === "not-found" ? route.path : ""} />;
  }
}

/** Sign-in gate, then the page for the current path. */
export function App() {
  const location = useLocation();
  const route = parseRoute(location.pathname);
  const [token, setToken] = useState(readToken);
  const queryClient = useQueryClient();
  const api = useMemo(() => (token ? createApi(token) : null), [token]);
  useEffect(() => () => api?.close(), [api]);

  // Any signed-out page load (or a token cleared elsewhere) goes to /login.
  useEffect(() => {
    const stored = readToken();
    if (stored !== token) setToken(stored);
    if (!stored && route.page !== "login") {
      const next = `${location.pathname}${location.search.size ? `?${location.search}` : ""}`;
      navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
    }
  }, [route.page, token, location.pathname, location.search]);

  if (route.page === "login" || !api) {
    return (
      <LoginPage
        onSignedIn={(next) => {
          queryClient.clear();
          setToken(readToken());
          navigate(next, { replace: true });
        }}
      />
    );
  }
  return (
    <ApiProvider api={api}>
      <AppShell
        route={route}
        onSignOut={() => {
          clearToken();
          queryClient.clear();
          setToken(null);
          navigate("/login", { replace: true });
        }}
      >
        <Suspense fallback={<Spinner label="Loading" />}>
          <Page route={route} />
        </Suspense>
      </AppShell>
    </ApiProvider>
  );
}
