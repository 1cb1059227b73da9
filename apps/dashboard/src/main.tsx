import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { isUnauthorized } from "./api/error-message.ts";
import { clearToken } from "./api/token-store.ts";
import { App } from "./app.tsx";
import { ThemeProvider } from "./components/theme.tsx";
import { navigate } from "./routing/location.tsx";
import "./styles/theme.css";
import "./styles/layout.css";
import "./styles/components.css";
import "./styles/run-page.css";
import "./styles/sweeps.css";

// Every import has been evaluated by now; `pnpm bench` reports this beside the first chart.
performance.mark("labtrack:app-start");

const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error) => {
      // A revoked or unknown token: back to sign-in instead of error boxes on every panel.
      if (isUnauthorized(error)) {
        clearToken();
        navigate("/login?expired=1", { replace: true });
      }
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      retry: (count, error) => !isUnauthorized(error) && count < 1,
    },
  },
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ThemeProvider>
        <App />
      </ThemeProvider>
    </QueryClientProvider>
  </StrictMode>,
);
