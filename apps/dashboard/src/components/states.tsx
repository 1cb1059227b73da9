import type { ReactNode } from "react";
import { errorMessage } from "../api/error-message.ts";

export function Spinner({ label = "Loading" }: { label?: string }) {
  return (
    <output className="state state-loading" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}…</span>
    </output>
  );
}

/** A server error, with the server's own message. */
export function ErrorState({
  error,
  title = "Could not load",
  retry,
}: {
  error: unknown;
  title?: string;
  retry?: () => void;
}) {
  return (
    <div className="state state-error" role="alert">
      <div className="state-title">{title}</div>
      <code className="state-message">{errorMessage(error)}</code>
      {retry && (
        <button type="button" className="btn" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <div className="state-title">{title}</div>
      {children && <div className="state-body">{children}</div>}
    </div>
  );
}

/** Loading skeleton rows for tables. */
export function SkeletonRows({ rows = 8 }: { rows?: number }) {
  return (
    <div className="skeleton" aria-hidden="true">
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholder rows have no identity
        <div key={i} className="skeleton-row" />
      ))}
    </div>
  );
}
