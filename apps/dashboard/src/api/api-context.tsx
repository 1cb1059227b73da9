import { createContext, type ReactNode, useContext } from "react";
import type { Api } from "./trpc-client.ts";

const ApiContext = createContext<Api | null>(null);

export function ApiProvider({ api, children }: { api: Api; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

/** The signed-in API client; only used below the sign-in gate. */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside a signed-in ApiProvider");
  return api;
}
