import type { ApiToken } from "@labtrack/schemas";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../api/api-context.tsx";
import { errorMessage } from "../api/error-message.ts";
import { formatRelativeTime } from "../charts/format-number.ts";
import { ErrorState, SkeletonRows } from "../components/states.tsx";
import { CreateTokenForm } from "../tokens/create-token-form.tsx";
import { describeGrants } from "../tokens/token-text.ts";

function RevokeCell({ token }: { token: ApiToken }) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation({
    mutationFn: () => client.tokens.revoke.mutate({ id: token.id }),
    onSettled: () => {
      setConfirming(false);
      void queryClient.invalidateQueries({ queryKey: ["tokens.list"] });
    },
  });
  if (token.revokedAt)
    return <span className="muted small">revoked {formatRelativeTime(token.revokedAt)}</span>;
  if (!confirming) {
    return (
      <button
        type="button"
        className="btn btn-small btn-danger"
        aria-label={`Revoke ${token.name}`}
        onClick={() => setConfirming(true)}
      >
        Revoke
      </button>
    );
  }
  return (
    <span className="inline-form">
      <span className="small">Revoke {token.name}? Its clients stop at once.</span>
      <button
        type="button"
        className="btn btn-small btn-danger"
        disabled={revoke.isPending}
        onClick={() => revoke.mutate()}
      >
        Yes, revoke
      </button>
      <button type="button" className="btn btn-small" onClick={() => setConfirming(false)}>
        Keep
      </button>
      {revoke.error && <span className="field-error">{errorMessage(revoke.error)}</span>}
    </span>
  );
}

/** Admins: make user and runner tokens (the secret shown once), see their scope and last use, revoke. */
export function TokensPage() {
  const { client } = useApi();
  const tokens = useQuery({ queryKey: ["tokens.list"], queryFn: () => client.tokens.list.query() });
  const active = tokens.data?.filter((t) => !t.revokedAt).length ?? 0;
  return (
    <div className="page page-wide">
      <div className="page-head">
        <h1>Tokens {tokens.data && <span className="count">{active} active</span>}</h1>
      </div>
      <CreateTokenForm />
      {tokens.isPending ? (
        <SkeletonRows rows={4} />
      ) : tokens.error ? (
        <ErrorState error={tokens.error} retry={() => void tokens.refetch()} />
      ) : (
        <section className="panel table-scroll">
          <table className="kv-table" data-testid="tokens-table">
            <thead>
              <tr>
                <th scope="col">name</th>
                <th scope="col">scope</th>
                <th scope="col">projects</th>
                <th scope="col">created</th>
                <th scope="col">last used</th>
                <th scope="col" aria-label="revoke" />
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id} className={token.revokedAt ? "muted" : undefined}>
                  <th scope="row">{token.name}</th>
                  <td>
                    <span className="pill">{token.scope}</span>
                  </td>
                  <td className="small">{describeGrants(token.projects)}</td>
                  <td className="muted" title={new Date(token.createdAt).toLocaleString()}>
                    {formatRelativeTime(token.createdAt)}
                  </td>
                  <td
                    className="muted"
                    title={token.lastUsedAt ? new Date(token.lastUsedAt).toLocaleString() : ""}
                  >
                    {token.lastUsedAt ? formatRelativeTime(token.lastUsedAt) : "never"}
                  </td>
                  <td>
                    <RevokeCell token={token} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
