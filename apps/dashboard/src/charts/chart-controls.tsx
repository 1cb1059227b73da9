import { MAX_SMOOTHING, X_AXES, type XAxis } from "../compare/compare-url-state.ts";
import type { ChartSettings } from "./metric-chart.tsx";

const X_AXIS_LABELS: Record<XAxis, string> = {
  step: "Step",
  epoch: "Epoch",
  relative: "Relative",
  wall: "Wall",
};

/** Smoothing slider, x-axis choice and log scale, shared by the Compare and Run pages. */
export function ChartControls({
  settings,
  onChange,
}: {
  settings: ChartSettings;
  onChange: (next: ChartSettings) => void;
}) {
  return (
    <div className="chart-controls">
      <label className="inline-field smoothing">
        <span>Smoothing</span>
        <input
          type="range"
          min={0}
          max={MAX_SMOOTHING}
          step={0.01}
          value={settings.smoothing}
          onChange={(event) => onChange({ ...settings, smoothing: Number(event.target.value) })}
          aria-valuetext={settings.smoothing.toFixed(2)}
        />
        <output className="mono">{settings.smoothing.toFixed(2)}</output>
      </label>
      <fieldset className="segmented" aria-label="X axis">
        <legend className="sr-only">X axis</legend>
        {X_AXES.map((axis) => (
          <button
            key={axis}
            type="button"
            className={settings.xAxis === axis ? "on" : ""}
            aria-pressed={settings.xAxis === axis}
            onClick={() => onChange({ ...settings, xAxis: axis })}
          >
            {X_AXIS_LABELS[axis]}
          </button>
        ))}
      </fieldset>
      <label className="inline-field">
        <input
          type="checkbox"
          checked={settings.logScale}
          onChange={(event) => onChange({ ...settings, logScale: event.target.checked })}
        />
        <span>Log scale</span>
      </label>
      <label
        className="inline-field"
        title="Scale y to the 1st-99th percentile, so one spike does not flatten every curve"
      >
        <input
          type="checkbox"
          checked={settings.ignoreOutliers}
          onChange={(event) => onChange({ ...settings, ignoreOutliers: event.target.checked })}
        />
        <span>Ignore outliers</span>
      </label>
    </div>
  );
}
