import type uPlot from "uplot";
import type { ChartLine } from "./chart-data.ts";
import { formatMetric } from "./format-number.ts";
import type { HighlightStore } from "./highlight-store.ts";
import { nearestRun, topTooltipRows, valuesAtIndex } from "./tooltip-rows.ts";

/** Rows a tooltip lists at most; the rest are counted. */
export const TOOLTIP_ROWS = 10;

export interface TooltipSource {
  /** Read on every move, so data and legend toggles apply at once. */
  lines: () => readonly ChartLine[];
  label: (runId: string) => string;
  color: (runId: string) => string;
  formatX: (x: number) => string;
  /** The attempt of a retried run whose point is shown at x (said in the row when above 1). */
  attemptAt?: (runId: string, x: number) => number;
  /** Where the run nearest the pointer is published, to highlight it on every chart. */
  highlight: HighlightStore | null;
}

function row(className: string, color: string, name: string, value: string): HTMLDivElement {
  const item = document.createElement("div");
  item.className = className;
  const swatch = document.createElement("span");
  swatch.className = "swatch";
  swatch.style.background = color;
  const label = document.createElement("span");
  label.className = "chart-tooltip-name";
  label.textContent = name;
  const number = document.createElement("span");
  number.className = "chart-tooltip-value";
  number.textContent = value;
  item.append(swatch, label, number);
  return item;
}

/**
 * A tooltip on the chart under the pointer only (charts synced to it show just the crosshair):
 * the top runs at that x, highest first as TensorBoard lists them, only runs that have a point
 * there or on both sides of it, NaN and infinities by name. The run whose curve is nearest the
 * pointer is marked and published as the page's highlighted run.
 */
export function tooltipPlugin(source: TooltipSource): uPlot.Plugin {
  let box: HTMLDivElement | null = null;
  let hovered = false;
  const hide = () => {
    if (box) box.hidden = true;
  };
  return {
    hooks: {
      init: (u) => {
        box = document.createElement("div");
        box.className = "chart-tooltip";
        box.hidden = true;
        u.over.append(box);
        u.over.addEventListener("mouseenter", () => {
          hovered = true;
        });
        u.over.addEventListener("mouseleave", () => {
          hovered = false;
          hide();
          source.highlight?.set(null);
        });
      },
      setCursor: (u) => {
        const { idx, left, top } = u.cursor;
        if (!box || !hovered || idx === null || idx === undefined || left === undefined || left < 0) {
          hide();
          return;
        }
        const x = u.data[0][idx];
        const values = valuesAtIndex(source.lines(), u.data[0], idx);
        if (x === undefined || values.length === 0) {
          hide();
          source.highlight?.set(null);
          return;
        }
        const nearest = nearestRun(values, (v) => u.valToPos(v, "y"), top ?? 0);
        source.highlight?.set(nearest);
        const { rows, more } = topTooltipRows(values, TOOLTIP_ROWS, nearest);
        box.replaceChildren();
        const head = document.createElement("div");
        head.className = "chart-tooltip-x";
        head.textContent = source.formatX(x);
        box.append(head);
        for (const entry of rows) {
          const className = `chart-tooltip-row${entry.runId === nearest ? " highlighted" : ""}`;
          const value = `${entry.interpolated ? "≈ " : ""}${formatMetric(entry.value)}`;
          const attempt = source.attemptAt?.(entry.runId, x) ?? 1;
          const name = `${source.label(entry.runId)}${attempt > 1 ? ` · attempt ${attempt}` : ""}`;
          box.append(row(className, source.color(entry.runId), name, value));
        }
        if (more > 0) {
          const rest = document.createElement("div");
          rest.className = "chart-tooltip-more";
          rest.textContent = `+${more} more`;
          box.append(rest);
        }
        box.hidden = false;
        const width = u.over.clientWidth;
        const flip = left > width / 2;
        box.style.left = flip ? "" : `${left + 12}px`;
        box.style.right = flip ? `${width - left + 12}px` : "";
        box.style.top = `${Math.max(0, (top ?? 0) - 10)}px`;
      },
    },
  };
}
