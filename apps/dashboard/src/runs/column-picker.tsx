import { useRef, useState } from "react";

export interface ColumnPickerProps {
  config: string[];
  metrics: string[];
  /** The columns in use (the defaults until the user picks), shown ticked. */
  chosen: readonly string[];
  /** Whether `chosen` are the defaults (then there is nothing to reset). */
  isDefault: boolean;
  onChange: (columns: string[]) => void;
}

const STATS = ["last", "min", "max"] as const;

/** Which config and summary columns the runs table shows. */
export function ColumnPicker({ config, metrics, chosen, isDefault, onChange }: ColumnPickerProps) {
  const [search, setSearch] = useState("");
  const needle = search.trim().toLowerCase();
  const chosenSet = new Set(chosen);
  const toggle = (id: string) =>
    onChange(chosenSet.has(id) ? chosen.filter((c) => c !== id) : [...chosen, id]);
  const shownConfig = config.filter((key) => key.toLowerCase().includes(needle));
  const shownMetrics = metrics.filter((key) => key.toLowerCase().includes(needle));

  const details = useRef<HTMLDetailsElement>(null);
  return (
    <details
      className="popover"
      ref={details}
      onKeyDown={(event) => {
        // Escape closes the picker and gives the focus back to its button.
        if (event.key !== "Escape" || !details.current?.open) return;
        event.preventDefault();
        details.current.open = false;
        details.current.querySelector("summary")?.focus();
      }}
    >
      <summary className="btn">Columns · {chosen.length}</summary>
      <div className="popover-panel column-picker">
        <input
          type="search"
          placeholder="Find a key…"
          aria-label="Find a column"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <div className="picker-section">
          <div className="picker-title">Config</div>
          {shownConfig.length === 0 && <div className="muted small">No config keys</div>}
          {shownConfig.map((key) => (
            <label key={key} className="picker-item">
              <input
                type="checkbox"
                checked={chosenSet.has(`config.${key}`)}
                onChange={() => toggle(`config.${key}`)}
              />
              <span className="truncate">{key}</span>
            </label>
          ))}
        </div>
        <div className="picker-section">
          <div className="picker-title">Metrics</div>
          {shownMetrics.length === 0 && <div className="muted small">No metrics logged yet</div>}
          {shownMetrics.map((key) => (
            <div key={key} className="picker-item">
              <span className="truncate">{key}</span>
              <span className="picker-stats">
                {STATS.map((stat) => {
                  const id = `summary.${key}.${stat}`;
                  return (
                    <button
                      key={stat}
                      type="button"
                      className={`chip ${chosenSet.has(id) ? "on" : ""}`}
                      aria-pressed={chosenSet.has(id)}
                      onClick={() => toggle(id)}
                    >
                      {stat}
                    </button>
                  );
                })}
              </span>
            </div>
          ))}
        </div>
        {!isDefault && (
          <button type="button" className="btn btn-small btn-ghost" onClick={() => onChange([])}>
            Reset to defaults
          </button>
        )}
      </div>
    </details>
  );
}
