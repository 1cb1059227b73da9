import { diffConfigKeys } from "@labtrack/core";
import { fromWireNumber, type JsonValue, type Run } from "@labtrack/schemas";
import { memo, useMemo, useState } from "react";
import { formatConfigValue, formatMetric } from "../charts/format-number.ts";
import { flatConfigOf } from "../runs/run-columns.ts";
import { metricDirection } from "./metric-direction.ts";

function show(value: JsonValue | undefined): string {
  return value === undefined ? "—" : formatConfigValue(value);
}

interface Props {
  runs: Run[];
  colors: ReadonlyMap<string, string>;
}

function RunHeads({ runs, colors }: Props) {
  return (
    <>
      {runs.map((run) => (
        <th key={run.id} scope="col">
          <span className="swatch" style={{ background: colors.get(run.id) }} /> {run.name}
        </th>
      ))}
    </>
  );
}

/** The runs' config side by side, differing keys highlighted (and shown first). */
export const ConfigDiffTable = memo(function ConfigDiffTable({ runs, colors }: Props) {
  const [onlyDiff, setOnlyDiff] = useState(true);
  const differing = useMemo(() => new Set(diffConfigKeys(runs.map((r) => r.config))), [runs]);
  const keys = useMemo(() => {
    const all = new Set<string>();
    for (const run of runs) for (const key of Object.keys(flatConfigOf(run))) all.add(key);
    return [...all].sort((a, b) => Number(differing.has(b)) - Number(differing.has(a)) || a.localeCompare(b));
  }, [runs, differing]);
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
        <label className="inline-field">
          <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} />
          <span>Only differences</span>
        </label>
      </div>
      {shown.length === 0 ? (
        <p className="muted">
          {keys.length === 0 ? "These runs have no config." : "Every config key is the same."}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="kv-table diff-table">
            <thead>
              <tr>
                <th scope="col">key</th>
                <RunHeads runs={runs} colors={colors} />
              </tr>
            </thead>
            <tbody>
              {shown.map((key) => (
                <tr key={key} className={differing.has(key) ? "differs" : ""}>
                  <th scope="row" className="mono">
                    {key}
                  </th>
                  {runs.map((run) => (
                    <td key={run.id} className="mono">
                      {show(flatConfigOf(run)[key])}
                    </td>
                  ))}
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
  return (
    <section className="panel" aria-labelledby="summary-compare-title">
      <h2 id="summary-compare-title">Summary (last value)</h2>
      <div className="table-scroll">
        <table className="kv-table">
          <thead>
            <tr>
              <th scope="col">metric</th>
              <RunHeads runs={runs} colors={colors} />
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => {
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
              return (
                <tr key={key}>
                  <th scope="row" className="mono">
                    {key}
                  </th>
                  {values.map((value, i) => (
                    <td key={runs[i]?.id} className={`mono num ${value === best ? "best" : ""}`}>
                      {Number.isNaN(value) && runs[i]?.summary[key] === undefined ? "—" : formatMetric(value)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
});
