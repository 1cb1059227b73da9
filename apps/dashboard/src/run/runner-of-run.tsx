import { useQuery } from "@tanstack/react-query";
import { useApi } from "../api/api-context.tsx";
import { formatBytes } from "../charts/format-number.ts";

/** The runner a run is on, with the GPUs of the slot that holds it. */
export function RunnerOfRun({ runnerName, runId }: { runnerName: string; runId: string }) {
  const { client } = useApi();
  const runners = useQuery({
    queryKey: ["runners.list"],
    queryFn: () => client.runners.list.query({ includeOffline: true }),
    staleTime: 10_000,
  });
  const runner = runners.data?.find((r) => r.name === runnerName);
  if (!runner) return null;
  const slot = runner.slots.find((s) => s.run?.id === runId);
  const gpus = slot ? runner.gpus.filter((g) => slot.gpuIndices.includes(g.index)) : [];
  return (
    <div className="runner-of-run">
      <h3>Runner</h3>
      <p>
        <strong>{runner.name}</strong> <span className="muted">on {runner.hostname}</span>{" "}
        <span className={runner.online ? "pill ok" : "pill"}>{runner.online ? "online" : "offline"}</span>
      </p>
      {slot && (
        <p className="muted small">
          slot {slot.index}
          {gpus.length === 0
            ? " · CPU"
            : ` · ${gpus.map((g) => `GPU ${g.index} ${g.name} (${formatBytes(g.memoryMb * 1024 * 1024)})`).join(", ")}`}
        </p>
      )}
    </div>
  );
}
