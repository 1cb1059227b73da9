import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { navigate } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";
import type { SpecDocument } from "./spec-document.ts";
import { sweepCreateInput, sweepTemplate, validateSweepDocument } from "./sweep-document.ts";
import { SweepEditor } from "./sweep-editor.tsx";

/** "New sweep": a project and a sweep.yaml; submitting creates it and opens its page. */
export function NewSweepForm({ initialProject }: { initialProject: string | null }) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const projects = useQuery({ queryKey: ["projects.list"], queryFn: () => client.projects.list.query() });
  const [project, setProject] = useState<string | null>(initialProject);
  const chosenProject = project ?? projects.data?.[0]?.slug ?? "default";
  const [doc, setDoc] = useState<SpecDocument>(sweepTemplate);
  const [syntaxError, setSyntaxError] = useState(false);
  const valid = validateSweepDocument(doc).length === 0;
  const create = useMutation({
    mutationFn: () => client.sweeps.create.mutate(sweepCreateInput(chosenProject, doc)),
    onSuccess: (sweep) => {
      void queryClient.invalidateQueries({ queryKey: ["sweeps.list"] });
      void queryClient.invalidateQueries({ queryKey: ["queue.list"] });
      navigate(paths.sweep(sweep.project, sweep.id));
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!syntaxError && valid && chosenProject) create.mutate();
  };
  return (
    <form className="panel new-experiment" onSubmit={submit} aria-labelledby="new-sweep-title">
      <div className="panel-head">
        <h2 id="new-sweep-title">New sweep</h2>
        <label className="inline-field">
          <span>project</span>
          <input
            aria-label="Sweep project"
            list="sweep-projects"
            value={chosenProject}
            onChange={(e) => setProject(e.target.value)}
            size={18}
          />
          <datalist id="sweep-projects">
            {projects.data?.map((p) => (
              <option key={p.slug} value={p.slug} />
            ))}
          </datalist>
        </label>
      </div>
      <p className="muted small">
        The file <code>pnpm labtrack sweep</code> reads: W&amp;B's sweep.yaml keys (<code>method</code>,{" "}
        <code>metric</code>, <code>parameters</code>, <code>early_terminate</code>, <code>run_cap</code>) plus
        the base <code>spec</code>, <code>concurrency</code>, <code>queue</code> and <code>requirements</code>
        .
      </p>
      <SweepEditor doc={doc} onChange={setDoc} onSyntaxError={setSyntaxError} />
      {create.error && (
        <p className="field-error" role="alert">
          {errorMessage(create.error)}
        </p>
      )}
      <div className="form-actions">
        {syntaxError && (
          <span className="muted small">Fix the document's syntax error to start the sweep.</span>
        )}
        <button
          type="submit"
          className="btn btn-primary"
          disabled={syntaxError || !valid || !chosenProject || create.isPending}
        >
          {create.isPending ? "Starting…" : "Start sweep"}
        </button>
      </div>
    </form>
  );
}
