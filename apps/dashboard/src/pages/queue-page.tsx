import { type JsonValue, queueEnqueueInput } from "@labtrack/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { ErrorState, Spinner } from "../components/states.tsx";
import { ExperimentEditor, isValidDocument } from "../queue/experiment-editor.tsx";
import { PRESETS } from "../queue/presets.ts";
import { QueueTable } from "../queue/queue-table.tsx";
import type { SpecDocument } from "../queue/spec-document.ts";
import { navigate, useLocation } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";

/** An earlier run as a new document: same spec, config, tags and placement, a new name. */
function useCloneSource(runId: string | null) {
  const { client } = useApi();
  return useQuery({
    queryKey: ["runs.get", runId],
    enabled: runId !== null,
    queryFn: () => client.runs.get.query({ runId: runId ?? "" }),
  });
}

export function QueuePage() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const { search } = useLocation();
  const cloneId = search.get("clone");
  const projects = useQuery({ queryKey: ["projects.list"], queryFn: () => client.projects.list.query() });
  const source = useCloneSource(cloneId);
  const defaultProject = projects.data?.[0]?.slug ?? "default";
  const [doc, setDoc] = useState<SpecDocument | null>(null);
  const [presetId, setPresetId] = useState(PRESETS[0]?.id ?? "");
  // Bumped whenever a whole new document is loaded, so the editor's text starts from it.
  const [revision, setRevision] = useState(0);
  const load = useCallback((next: SpecDocument | null) => {
    setDoc(next);
    setRevision((r) => r + 1);
  }, []);

  useEffect(() => {
    if (doc !== null) return;
    if (cloneId) {
      const run = source.data;
      if (!run) return;
      load({
        project: run.project,
        name: `${run.name}-clone`,
        ...(run.group ? { group: run.group } : {}),
        tags: run.tags,
        ...(run.queue ? { queue: run.queue } : {}),
        priority: run.priority,
        spec: run.spec as JsonValue,
      });
    } else if (!projects.isPending) {
      load(PRESETS[0]?.document(defaultProject) ?? null);
    }
  }, [doc, cloneId, source.data, projects.isPending, defaultProject, load]);

  const enqueue = useMutation({
    mutationFn: (input: SpecDocument) => client.queue.enqueue.mutate(queueEnqueueInput.parse(input)),
    onSuccess: (run) => {
      void queryClient.invalidateQueries({ queryKey: ["queue.list"] });
      void queryClient.invalidateQueries({ queryKey: ["projects.list"] });
      navigate(paths.run(run.id));
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (doc && isValidDocument(doc)) enqueue.mutate(doc);
  };

  return (
    <div className="page page-wide">
      <div className="page-head">
        <h1>Queue</h1>
      </div>
      <div className="queue-layout">
        <form className="panel new-experiment" onSubmit={submit} aria-labelledby="new-experiment-title">
          <div className="panel-head">
            <h2 id="new-experiment-title">{cloneId ? "Clone and edit" : "New experiment"}</h2>
            <div className="page-actions">
              <label className="inline-field">
                <span>Start from</span>
                <select value={presetId} onChange={(e) => setPresetId(e.target.value)}>
                  {PRESETS.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.label}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => {
                  const preset = PRESETS.find((p) => p.id === presetId);
                  if (preset) {
                    navigate(paths.queue(), { replace: true });
                    load(preset.document(typeof doc?.project === "string" ? doc.project : defaultProject));
                  }
                }}
              >
                Load preset
              </button>
            </div>
          </div>
          {cloneId && source.error ? (
            <ErrorState error={source.error} title="Could not load the run to clone" />
          ) : doc === null ? (
            <Spinner label="Preparing" />
          ) : (
            <ExperimentEditor key={revision} doc={doc} onChange={setDoc} />
          )}
          {enqueue.error && (
            <p className="field-error" role="alert">
              {errorMessage(enqueue.error)}
            </p>
          )}
          <div className="form-actions">
            <button
              type="submit"
              className="btn btn-primary"
              disabled={!doc || !isValidDocument(doc) || enqueue.isPending}
            >
              {enqueue.isPending ? "Queueing…" : "Queue experiment"}
            </button>
          </div>
        </form>
        <div className="queue-side">
          <QueueTable />
        </div>
      </div>
    </div>
  );
}
