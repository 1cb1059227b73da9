import type { RunTab } from "../routing/routes.ts";

export function RunPage({ runId, tab }: { runId: string; tab: RunTab }) {
  return (
    <div className="page">
      {runId} {tab}
    </div>
  );
}
