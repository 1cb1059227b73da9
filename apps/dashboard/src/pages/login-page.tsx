import { type FormEvent, useEffect, useRef, useState } from "react";
import { errorMessage } from "../api/error-message.ts";
import { tokenFromHash, writeToken } from "../api/token-store.ts";
import { whoami } from "../api/trpc-client.ts";
import { ThemeToggle } from "../components/theme-toggle.tsx";

function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get("next");
  // Only same-site paths: a sign-in link must not be able to send the browser elsewhere.
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

/**
 * Signs the browser in with the link the server prints (`/login#token=...`) or a pasted token.
 * The token is checked with `tokens.whoami` before it is stored.
 */
export function LoginPage({ onSignedIn }: { onSignedIn: (next: string) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const expired = new URLSearchParams(window.location.search).get("expired") === "1";
  const started = useRef(false);

  const signIn = async (candidate: string) => {
    setChecking(true);
    setError(null);
    try {
      await whoami(candidate);
      writeToken(candidate);
      onSignedIn(nextPath());
    } catch (failure) {
      setError(errorMessage(failure));
      setChecking(false);
    }
  };

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const fromLink = tokenFromHash(window.location.hash);
    if (!fromLink) return;
    // Drop the secret from the address bar and history at once.
    window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}`);
    setToken(fromLink);
    void signIn(fromLink);
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = token.trim();
    if (!trimmed) {
      setError("token: paste an API token first");
      return;
    }
    void signIn(trimmed);
  };

  return (
    <main className="login">
      <div className="login-theme">
        <ThemeToggle />
      </div>
      <form className="login-card" onSubmit={submit}>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Labtrack
        </div>
        <p className="muted">
          Open the sign-in link the server printed when it started, or paste an API token.
        </p>
        {expired && !error && <p className="notice">Your token is no longer valid. Sign in again.</p>}
        <label className="field">
          <span>API token</span>
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(event) => setToken(event.target.value)}
            placeholder="lt_…"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "login-error" : undefined}
          />
        </label>
        {error && (
          <p className="field-error" id="login-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={checking}>
          {checking ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
