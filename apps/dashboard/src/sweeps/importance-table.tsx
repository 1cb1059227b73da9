import type { ImportanceEntry } from "./importance-rows.ts";

/** Each parameter's importance as a bar, and its correlation with the goal as a bar either side of 0. */
export function ImportanceTable({ entries }: { entries: readonly ImportanceEntry[] }) {
  return (
    <table className="kv-table importance-table">
      <thead>
        <tr>
          <th scope="col">parameter</th>
          <th
            scope="col"
            title="Random forest: the share of the goal's variance its splits on this parameter remove"
          >
            importance
          </th>
          <th scope="col" title="Pearson correlation with the goal (of log10 for log-scale parameters)">
            correlation
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.key}>
            <td className="mono">{e.key}</td>
            <td>
              <span className="bar-cell">
                <span className="bar" style={{ width: `${Math.round(e.importance * 100)}%` }} />
                <span className="bar-value">{e.importance.toFixed(2)}</span>
              </span>
            </td>
            <td>
              {e.correlation === null ? (
                <span className="muted">–</span>
              ) : (
                <span className="bar-cell signed">
                  <span
                    className={e.correlation < 0 ? "bar bar-negative" : "bar bar-positive"}
                    style={{
                      width: `${Math.round(Math.abs(e.correlation) * 50)}%`,
                      marginLeft:
                        e.correlation < 0 ? `${50 - Math.round(Math.abs(e.correlation) * 50)}%` : "50%",
                    }}
                  />
                  <span className="bar-value">{e.correlation.toFixed(2)}</span>
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
