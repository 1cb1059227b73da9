import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { formatRelativeTime } from "../charts/format-number.ts";
import { EmptyState, ErrorState, SkeletonRows } from "../components/states.tsx";
import { Link, navigate } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";

export function ProjectsPage() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const projects = useQuery({ queryKey: ["projects.list"], queryFn: () => client.projects.list.query() });
  const [slug, setSlug] = useState("");
  const create = useMutation({
    mutationFn: (input: { slug: string }) => client.projects.create.mutate(input),
    onSuccess: (project) => {
      void queryClient.invalidateQueries({ queryKey: ["projects.list"] });
      navigate(paths.runs(project.slug));
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ slug: slug.trim() });
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Projects</h1>
        <form className="inline-form" onSubmit={submit}>
          <input
            aria-label="New project slug"
            placeholder="new-project-slug"
            value={slug}
            onChange={(event) => setSlug(event.target.value)}
          />
          <button type="submit" className="btn" disabled={!slug.trim() || create.isPending}>
            Create
          </button>
        </form>
      </div>
      {create.error && (
        <p className="field-error" role="alert">
          {errorMessage(create.error)}
        </p>
      )}
      {projects.isPending ? (
        <SkeletonRows rows={4} />
      ) : projects.error ? (
        <ErrorState error={projects.error} retry={() => void projects.refetch()} />
      ) : projects.data.length === 0 ? (
        <EmptyState title="No projects yet">
          <p>
            A project appears when the first run reports to it, or create one above. Queue an experiment from
            the <Link href={paths.queue()}>Queue</Link>.
          </p>
        </EmptyState>
      ) : (
        <ul className="project-grid">
          {projects.data.map((project) => (
            <li key={project.slug}>
              <Link href={paths.runs(project.slug)} className="project-card">
                <span className="project-name">{project.name}</span>
                <span className="muted small">{project.slug}</span>
                <span className="project-meta">
                  <span>
                    <strong>{project.runCount}</strong> runs
                  </span>
                  <span className="muted">created {formatRelativeTime(project.createdAt)}</span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
