import { formatMetric } from "../charts/format-number.ts";
import { EmptyState } from "../components/states.tsx";
import { type ClassifierResults, rowShares } from "./classifier-results.ts";

function heat(share: number): string {
  return `color-mix(in srgb, var(--info) ${Math.round(share * 85)}%, transparent)`;
}

function ConfusionMatrix({ labels, matrix }: { labels: string[]; matrix: number[][] }) {
  const shares = rowShares(matrix);
  return (
    <div className="table-scroll">
      <table className="heatmap" aria-label="Confusion matrix: rows are true classes, columns predicted">
        <thead>
          <tr>
            <th scope="col" className="heatmap-corner">
              true \ predicted
            </th>
            {labels.map((label) => (
              <th key={label} scope="col" className="heatmap-col" title={label}>
                <span>{label}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => (
            <tr key={labels[i] ?? i}>
              <th scope="row" className="truncate" title={labels[i]}>
                {labels[i]}
              </th>
              {row.map((count, j) => {
                const share = shares[i]?.[j] ?? 0;
                return (
                  <td
                    key={labels[j] ?? j}
                    className={`heatmap-cell ${i === j ? "diag" : ""} ${share > 0.55 ? "strong" : ""}`}
                    style={{ background: heat(share) }}
                    title={`true ${labels[i]}, predicted ${labels[j]}: ${count} (${(share * 100).toFixed(1)}%)`}
                  >
                    {count}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MultiLabelMatrices({ labels, perClass }: { labels: string[]; perClass: number[][][] }) {
  return (
    <div className="mini-matrices">
      {perClass.map((m, c) => {
        const cells = [m[0]?.[0] ?? 0, m[0]?.[1] ?? 0, m[1]?.[0] ?? 0, m[1]?.[1] ?? 0];
        const total = cells.reduce((a, b) => a + b, 0) || 1;
        const names = ["TN", "FP", "FN", "TP"];
        return (
          <figure key={labels[c] ?? c} className="mini-matrix">
            <figcaption className="truncate">{labels[c]}</figcaption>
            <div className="mini-grid">
              {cells.map((v, k) => (
                <span key={names[k]} style={{ background: heat(v / total) }} title={`${names[k]} ${v}`}>
                  <small>{names[k]}</small> {v}
                </span>
              ))}
            </div>
          </figure>
        );
      })}
    </div>
  );
}

function Bar({ value }: { value: number | null }) {
  return (
    <span className="bar-cell">
      <span className="bar" style={{ width: `${Math.max(0, Math.min(1, value ?? 0)) * 100}%` }} />
      <span className="bar-value">{value === null ? "—" : formatMetric(value)}</span>
    </span>
  );
}

/** Confusion matrix heatmap, per-class precision/recall/F1, thresholds and test metrics. */
export function ClassifierResultsView({ results }: { results: ClassifierResults | null }) {
  if (!results) {
    return (
      <EmptyState title="No classifier results">
        <p>
          Image-classifier runs report a confusion matrix, per-class scores and thresholds when they finish.
        </p>
      </EmptyState>
    );
  }
  const matrix = results.confusion_matrix;
  return (
    <div className="results">
      {(results.testMetrics.length > 0 || results.facts.length > 0) && (
        <div className="stat-row">
          {results.testMetrics.map(([key, value]) => (
            <div key={key} className="stat">
              <span className="stat-label">{key}</span>
              <span className="stat-value">{formatMetric(value)}</span>
            </div>
          ))}
          {results.facts.map(([key, value]) => (
            <div key={key} className="stat stat-fact">
              <span className="stat-label">{key}</span>
              <span className="stat-value">{value}</span>
            </div>
          ))}
        </div>
      )}
      <div className="grid-2">
        {matrix && (
          <section className="panel">
            <h2>Confusion matrix</h2>
            {"matrix" in matrix ? (
              <ConfusionMatrix labels={matrix.labels} matrix={matrix.matrix} />
            ) : (
              <MultiLabelMatrices labels={matrix.labels} perClass={matrix.per_class} />
            )}
          </section>
        )}
        {results.per_class && (
          <section className="panel">
            <h2>Per class</h2>
            <div className="table-scroll">
              <table className="kv-table per-class">
                <thead>
                  <tr>
                    <th scope="col">class</th>
                    <th scope="col">precision</th>
                    <th scope="col">recall</th>
                    <th scope="col">F1</th>
                    <th scope="col" className="num">
                      support
                    </th>
                    {results.thresholds && results.thresholds.length > 1 && <th scope="col">threshold</th>}
                  </tr>
                </thead>
                <tbody>
                  {results.per_class.map((row, i) => (
                    <tr key={row.name}>
                      <th scope="row">{row.name}</th>
                      <td>
                        <Bar value={row.precision} />
                      </td>
                      <td>
                        <Bar value={row.recall} />
                      </td>
                      <td>
                        <Bar value={row.f1} />
                      </td>
                      <td className="mono num">{row.support ?? "—"}</td>
                      {results.thresholds && results.thresholds.length > 1 && (
                        <td className="mono">{formatMetric(results.thresholds[i] ?? null)}</td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {results.thresholds && results.thresholds.length === 1 && (
              <p className="muted small">
                Decision threshold {formatMetric(results.thresholds[0] ?? null)} for every class
                {results.threshold_kind ? ` (${results.threshold_kind})` : ""}.
              </p>
            )}
            {results.thresholds && results.thresholds.length > 1 && (
              <p className="muted small">Per-class thresholds chosen on the validation split.</p>
            )}
          </section>
        )}
      </div>
    </div>
  );
}
