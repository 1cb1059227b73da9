import { type JsonValue, queueEnqueueInput } from "@labtrack/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { ErrorState, Spinner } from "../components/states.tsx";
import { ExperimentEditor, isValidDocument } from "../queue/experiment-editor.tsx";
import { NewSweepForm } from "../queue/new-sweep-form.tsx";
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

const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** "Clone and edit" any earlier run: paste its id or its dashboard link. */
function CloneRunField() {
  const [text, setText] = useState("");
  const runId = UUID_IN_TEXT.exec(text)?.[0]?.toLowerCase() ?? null;
  return (
    <span className="inline-form">
      <input
        aria-label="Run to clone (id or link)"
        placeholder="clone run: id or link"
        value={text}
        onChange={(e) => setText(e.target.value)}
        size={22}
      />
      <button
        type="button"
        className="btn btn-small"
        disabled={!runId}
        onClick={() => {
          if (runId) navigate(`${paths.queue()}?clone=${runId}`);
        }}
      >
        Clone
      </button>
    </span>
  );
}

export function QueuePage() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const { search } = useLocation();
  const cloneId = search.get("clone");
  const projects = useQuery({ queryKey: ["projects.list"], queryFn: () => client.projects.list.query() });
  const source = useCloneSource(cloneId);
  const defaultProject = projects.data?.[0]?.slug ?? "default";
  const presetParam = search.get("preset");
  const [doc, setDoc] = useState<SpecDocument | null>(null);
  const [syntaxError, setSyntaxError] = useState(false);
  const [presetId, setPresetId] = useState(
    PRESETS.find((p) => p.id === presetParam)?.id ?? PRESETS[0]?.id ?? "",
  );
  // Where the document comes from (a run to clone or a preset); a change loads it afresh.
  const sourceKey = cloneId ? `clone:${cloneId}` : `preset:${presetParam ?? ""}`;
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  // Bumped whenever a whole new document is loaded, so the editor's text starts from it.
  const [revision, setRevision] = useState(0);
  const load = useCallback((next: SpecDocument | null) => {
    setDoc(next);
    setRevision((r) => r + 1);
  }, []);

  useEffect(() => {
    if (loadedKey === sourceKey) return;
    if (cloneId) {
      const run = source.data;
      if (!run) return;
      setLoadedKey(sourceKey);
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
      setLoadedKey(sourceKey);
      const preset = PRESETS.find((p) => p.id === presetParam) ?? PRESETS[0];
      load(preset?.document(defaultProject) ?? null);
    }
  }, [loadedKey, sourceKey, cloneId, presetParam, source.data, projects.isPending, defaultProject, load]);

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
    if (doc && !syntaxError && isValidDocument(doc)) enqueue.mutate(doc);
  };

  const newSweep = search.get("new") === "sweep";
  return (
    <div className="page page-wide">
      <div className="page-head">
        <h1>Queue</h1>
        <fieldset className="segmented" aria-label="What to queue">
          <legend className="sr-only">What to queue</legend>
          <button
            type="button"
            className={newSweep ? "" : "on"}
            aria-pressed={!newSweep}
            onClick={() => navigate(paths.queue(), { replace: true })}
          >
            New experiment
          </button>
          <button
            type="button"
            className={newSweep ? "on" : ""}
            aria-pressed={newSweep}
            onClick={() => navigate(`${paths.queue()}?new=sweep`, { replace: true })}
          >
            New sweep
          </button>
        </fieldset>
      </div>
      <div className="queue-layout">
        {newSweep ? (
          <NewSweepForm initialProject={search.get("project")} />
        ) : (
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
                <CloneRunField />
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => {
                    const preset = PRESETS.find((p) => p.id === presetId);
                    if (preset) {
                      setLoadedKey(`preset:${preset.id}`);
                      navigate(`${paths.queue()}?preset=${preset.id}`, { replace: true });
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
              <ExperimentEditor key={revision} doc={doc} onChange={setDoc} onSyntaxError={setSyntaxError} />
            )}
            {enqueue.error && (
              <p className="field-error" role="alert">
                {errorMessage(enqueue.error)}
              </p>
            )}
            <div className="form-actions">
              {syntaxError && (
                <span className="muted small">Fix the document's syntax error to queue it.</span>
              )}
              <button
                type="submit"
                className="btn btn-primary"
                disabled={!doc || syntaxError || !isValidDocument(doc) || enqueue.isPending}
              >
                {enqueue.isPending ? "Queueing…" : "Queue experiment"}
              </button>
            </div>
          </form>
        )}
        <div className="queue-side">
          <QueueTable />
        </div>
      </div>
    </div>
  );
}
