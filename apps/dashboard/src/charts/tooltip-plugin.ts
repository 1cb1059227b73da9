import type uPlot from "uplot";
import { formatMetric } from "./format-number.ts";

export interface TooltipLine {
  label: string;
  color: string;
  /** Column of the curve whose value is listed (the smoothed one when smoothing is on). */
  column: number;
}

/** The value nearest to `index` in a column with gaps (runs log at different steps). */
function nearestValue(column: ArrayLike<number | null | undefined>, index: number, span = 64): number | null {
  for (let d = 0; d <= span; d++) {
    const before = column[index - d];
    if (before !== null && before !== undefined) return before;
    const after = column[index + d];
    if (after !== null && after !== undefined) return after;
  }
  return null;
}

/**
 * A hover tooltip listing every shown run's value at the cursor's x, highest first, as
 * TensorBoard does. `lines()` is read on each move so legend toggles apply at once.
 */
export function tooltipPlugin(lines: () => TooltipLine[], formatX: (x: number) => string): uPlot.Plugin {
  let box: HTMLDivElement | null = null;
  return {
    hooks: {
      init: (u) => {
        box = document.createElement("div");
        box.className = "chart-tooltip";
        box.hidden = true;
        u.over.append(box);
        u.over.addEventListener("mouseleave", () => {
          if (box) box.hidden = true;
        });
      },
      setCursor: (u) => {
        if (!box) return;
        const { idx, left, top } = u.cursor;
        if (idx === null || idx === undefined || left === undefined || left < 0) {
          box.hidden = true;
          return;
        }
        const x = u.data[0][idx];
        const rows = lines()
          .map((line) => ({ ...line, value: nearestValue(u.data[line.column] ?? [], idx) }))
          .filter((row) => row.value !== null)
          .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
        if (x === undefined || rows.length === 0) {
          box.hidden = true;
          return;
        }
        box.replaceChildren();
        const head = document.createElement("div");
        head.className = "chart-tooltip-x";
        head.textContent = formatX(x);
        box.append(head);
        for (const row of rows.slice(0, 20)) {
          const item = document.createElement("div");
          item.className = "chart-tooltip-row";
          const swatch = document.createElement("span");
          swatch.className = "swatch";
          swatch.style.background = row.color;
          const name = document.createElement("span");
          name.className = "chart-tooltip-name";
          name.textContent = row.label;
          const value = document.createElement("span");
          value.className = "chart-tooltip-value";
          value.textContent = formatMetric(row.value);
          item.append(swatch, name, value);
          box.append(item);
        }
        if (rows.length > 20) {
          const more = document.createElement("div");
          more.className = "chart-tooltip-more";
          more.textContent = `+${rows.length - 20} more`;
          box.append(more);
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
