import { fromWireNumber, type JsonValue, type Run } from "@labtrack/schemas";
import { memo, useMemo, useState } from "react";
import { formatConfigValue, formatMetric } from "../charts/format-number.ts";
import { flatConfigOf } from "../runs/run-columns.ts";
import { diffColumns, expandConfig } from "./config-cells.ts";
import { metricDirection } from "./metric-direction.ts";

function show(value: JsonValue | undefined): string {
  return value === undefined ? "—" : formatConfigValue(value);
}

interface Props {
  runs: Run[];
  colors: ReadonlyMap<string, string>;
}

function RunCell({ run, color }: { run: Run; color: string | undefined }) {
  return (
    <th scope="row" className="run-cell" title={run.name}>
      <span className="swatch" style={{ background: color }} /> {run.name}
    </th>
  );
}

/**
 * The runs' config with runs as rows and keys as columns (arrays opened, so `phases[1].lr` is a
 * column), differing keys highlighted and first; each value in full on hover, or all with "Full values".
 */
export const ConfigDiffTable = memo(function ConfigDiffTable({ runs, colors }: Props) {
  const [onlyDiff, setOnlyDiff] = useState(true);
  const [full, setFull] = useState(false);
  const configs = useMemo(() => runs.map((run) => expandConfig(flatConfigOf(run))), [runs]);
  const { keys, differing } = useMemo(() => diffColumns(configs), [configs]);
  const shown = onlyDiff ? keys.filter((k) => differing.has(k)) : keys;
  return (
    <section className="panel" aria-labelledby="config-diff-title">
      <div className="panel-head">
        <h2 id="config-diff-title">
          Config{" "}
          <span className="muted small">
            {differing.size} of {keys.length} keys differ
          </span>
        </h2>
        <span className="inline-form">
          <label className="inline-field">
            <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} />
            <span>Only differences</span>
          </label>
          <label className="inline-field">
            <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} />
            <span>Full values</span>
          </label>
        </span>
      </div>
      {shown.length === 0 ? (
        <p className="muted">
          {keys.length === 0 ? "These runs have no config." : "Every config key is the same."}
        </p>
      ) : (
        <div className="table-scroll runs-rows-scroll">
          <table
            className={`kv-table diff-table runs-rows ${full ? "full-values" : ""}`}
            data-testid="config-diff"
          >
            <thead>
              <tr>
                <th scope="col">run</th>
                {shown.map((key) => (
                  <th
                    key={key}
                    scope="col"
                    className={`mono ${differing.has(key) ? "differs" : ""}`}
                    title={key}
                  >
                    {key}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {runs.map((run, i) => (
                <tr key={run.id}>
                  <RunCell run={run} color={colors.get(run.id)} />
                  {shown.map((key) => {
                    const text = show(configs[i]?.get(key));
                    return (
                      <td key={key} className={`mono ${differing.has(key) ? "differs" : ""}`} title={text}>
                        {text}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
});

/**
 * Each metric's last value per run, the best of the row marked (lowest for losses, highest for
 * scores; none for keys such as the learning rate).
 */
export const SummaryCompareTable = memo(function SummaryCompareTable({ runs, colors }: Props) {
  const keys = useMemo(() => [...new Set(runs.flatMap((r) => Object.keys(r.summary)))].sort(), [runs]);
  if (keys.length === 0) return null;
  const columns = keys.map((key) => {
    const values = runs.map((run) => {
      const last = run.summary[key]?.last;
      return last === undefined ? Number.NaN : fromWireNumber(last);
    });
    const finite = values.filter(Number.isFinite);
    const direction = metricDirection(key);
    const best =
      finite.length > 1 && direction !== null
        ? direction === "min"
          ? Math.min(...finite)
          : Math.max(...finite)
        : null;
    return { key, values, best };
  });
  return (
    <section className="panel" aria-labelledby="summary-compare-title">
      <h2 id="summary-compare-title">Summary (last value)</h2>
      <div className="table-scroll runs-rows-scroll">
        <table className="kv-table runs-rows" data-testid="summary-compare">
          <thead>
            <tr>
              <th scope="col">run</th>
              {keys.map((key) => (
                <th key={key} scope="col" className="mono" title={key}>
                  {key}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {runs.map((run, i) => (
              <tr key={run.id}>
                <RunCell run={run} color={colors.get(run.id)} />
                {columns.map(({ key, values, best }) => {
                  const value = values[i] ?? Number.NaN;
                  const text =
                    Number.isNaN(value) && run.summary[key] === undefined ? "—" : formatMetric(value);
                  return (
                    <td
                      key={key}
                      className={`mono num ${value === best ? "best" : ""}`}
                      title={`${key}: ${text}`}
                    >
                      {text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
});
