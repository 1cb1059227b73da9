import { diffConfigKeys } from "@labtrack/core";
import type { Run } from "@labtrack/schemas";
import { useMemo } from "react";

interface GroupControlsProps {
  runs: readonly Run[];
  groupBy: string;
  onChange: (groupBy: string) => void;
  /** The groups drawn (label -> run ids) and their colours under `group:<label>`. */
  groups: ReadonlyMap<string, readonly string[]> | null;
  colors: ReadonlyMap<string, string>;
}

/** "Group by" (the runs' group or a config key that differs between them) and the groups' colours. */
export function GroupControls({ runs, groupBy, onChange, groups, colors }: GroupControlsProps) {
  const keys = useMemo(() => diffConfigKeys(runs.map((r) => r.config)).sort(), [runs]);
  return (
    <div className="group-controls">
      <label className="inline-field">
        <span>Group runs</span>
        <select aria-label="Group runs by" value={groupBy} onChange={(e) => onChange(e.target.value)}>
          <option value="">No grouping: every run</option>
          <option value="group">by group</option>
          {keys.map((key) => (
            <option key={key} value={`config.${key}`}>
              by config.{key}
            </option>
          ))}
          {groupBy && groupBy !== "group" && !keys.includes(groupBy.slice(7)) && (
            <option value={groupBy}>by {groupBy}</option>
          )}
        </select>
      </label>
      {groups && (
        <ul className="group-legend" aria-label="Groups">
          {[...groups].map(([label, ids]) => (
            <li key={label}>
              <span className="legend-swatch" style={{ background: colors.get(`group:${label}`) }} />
              <span className="mono">{label}</span> <span className="muted small">{ids.length} runs</span>
            </li>
          ))}
          <li className="muted small">mean, band from min to max</li>
        </ul>
      )}
    </div>
  );
}
