import { memo } from "react";
import type { groupMetricsByPrefix } from "./metric-groups.ts";
import { MetricPanel, type MetricPanelProps } from "./metric-panel.tsx";

/**
 * Metric charts grouped by prefix (`train/`, `val/`, `sys/`), one collapsible grid per group.
 * Memoised: a page re-rendering for its slider or legend must not walk every chart.
 */
export const MetricSections = memo(function MetricSections({
  sections,
  ...panel
}: { sections: ReturnType<typeof groupMetricsByPrefix> } & Omit<MetricPanelProps, "metric">) {
  return sections.map(({ section, keys: metrics }) => (
    <details key={section} className="chart-section" open>
      <summary>
        {section} <span className="muted small">{metrics.length}</span>
      </summary>
      <div className="chart-grid">
        {metrics.map((metric) => (
          <MetricPanel key={metric} metric={metric} {...panel} />
        ))}
      </div>
    </details>
  ));
});
