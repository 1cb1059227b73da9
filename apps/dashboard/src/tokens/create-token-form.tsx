import type { TokenScope } from "@labtrack/schemas";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { parseGrants, runnerCommand } from "./token-text.ts";

interface Created {
  name: string;
  scope: TokenScope;
  token: string;
}

/** The secret of a token just made, shown this once, with the runner command for a runner token. */
function CreatedToken({ created, onDone }: { created: Created; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const command = runnerCommand(window.location.origin, created.token, created.name);
  const copy = (label: string, text: string) => {
    void navigator.clipboard?.writeText(text).then(() => setCopied(label));
  };
  return (
    <div className="panel created-token" role="status" aria-label="New token">
      <p>
        Token <strong>{created.name}</strong> ({created.scope}) was made. Copy it now: it is shown only once
        (only its sha256 is stored).
      </p>
      <div className="copy-row">
        <code className="mono copy-text" data-testid="new-token">
          {created.token}
        </code>
        <button type="button" className="btn btn-small" onClick={() => copy("token", created.token)}>
          {copied === "token" ? "Copied" : "Copy token"}
        </button>
      </div>
      {created.scope === "runner" && (
        <>
          <p className="small">On the runner host, from this repository:</p>
          <div className="copy-row">
            <pre className="mono copy-text" data-testid="runner-command">
              {command}
            </pre>
            <button type="button" className="btn btn-small" onClick={() => copy("command", command)}>
              {copied === "command" ? "Copied" : "Copy command"}
            </button>
          </div>
        </>
      )}
      <button type="button" className="btn" onClick={onDone}>
        Done
      </button>
    </div>
  );
}

/** Name, scope and optional project limits of a new token. */
export function CreateTokenForm() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [scope, setScope] = useState<TokenScope>("runner");
  const [limits, setLimits] = useState("");
  const [created, setCreated] = useState<Created | null>(null);
  const grants = parseGrants(limits);
  const create = useMutation({
    mutationFn: () =>
      client.tokens.create.mutate({
        name: name.trim(),
        scope,
        projects: grants.ok && scope !== "admin" ? grants.projects : undefined,
      }),
    onSuccess: (token) => {
      setCreated({ name: token.name, scope: token.scope, token: token.token });
      setName("");
      setLimits("");
      void queryClient.invalidateQueries({ queryKey: ["tokens.list"] });
    },
  });
  if (created) return <CreatedToken created={created} onDone={() => setCreated(null)} />;
  return (
    <form
      className="panel token-form"
      aria-label="Create a token"
      onSubmit={(event) => {
        event.preventDefault();
        if (name.trim() && grants.ok) create.mutate();
      }}
    >
      <h2>New token</h2>
      <div className="token-form-fields">
        <label className="field">
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="gpu-host-1"
            maxLength={100}
          />
        </label>
        <label className="field">
          Scope
          <select value={scope} onChange={(e) => setScope(e.target.value as TokenScope)}>
            <option value="runner">runner (a gpu-runner agent)</option>
            <option value="user">user (people and their scripts)</option>
            <option value="admin">admin (everything)</option>
          </select>
        </label>
        {scope !== "admin" && (
          <label className="field token-limits">
            Projects (empty: every project)
            <input
              value={limits}
              onChange={(e) => setLimits(e.target.value)}
              placeholder="flowers, birds:read"
            />
          </label>
        )}
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!name.trim() || !grants.ok || create.isPending}
        >
          Create token
        </button>
      </div>
      {!grants.ok && scope !== "admin" && <p className="field-error">{grants.error}</p>}
      {create.error && <p className="field-error">{errorMessage(create.error)}</p>}
    </form>
  );
}
