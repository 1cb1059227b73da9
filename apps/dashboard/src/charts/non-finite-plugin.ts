import type uPlot from "uplot";
import type { NonFiniteKind } from "./chart-data.ts";

export interface NonFiniteMark {
  runId: string;
  /** Index in the chart's x column. */
  index: number;
  kind: NonFiniteKind;
}

/**
 * Marks where a curve logged NaN or ±Infinity (a gap in the line otherwise): a dotted line at that
 * x in the run's colour, a diamond at the foot for NaN, a triangle at the top for +∞ and at the
 * foot for −∞.
 */
export function nonFinitePlugin(
  marks: () => readonly NonFiniteMark[],
  color: (runId: string) => string,
): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const list = marks();
        if (list.length === 0) return;
        const { ctx } = u;
        const { left, top, width, height } = u.bbox;
        const r = 4 * devicePixelRatio;
        ctx.save();
        ctx.beginPath();
        ctx.rect(left, top, width, height);
        ctx.clip();
        for (const mark of list) {
          const value = u.data[0][mark.index];
          if (value === undefined) continue;
          const x = u.valToPos(value, "x", true);
          if (x < left - r || x > left + width + r) continue;
          const stroke = color(mark.runId);
          ctx.strokeStyle = stroke;
          ctx.fillStyle = stroke;
          ctx.globalAlpha = 0.55;
          ctx.lineWidth = devicePixelRatio;
          ctx.setLineDash([2 * devicePixelRatio, 3 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.globalAlpha = 1;
          ctx.beginPath();
          if (mark.kind === "+inf") {
            ctx.moveTo(x, top + 1);
            ctx.lineTo(x - r, top + 1 + 1.6 * r);
            ctx.lineTo(x + r, top + 1 + 1.6 * r);
          } else if (mark.kind === "-inf") {
            const y = top + height - 1;
            ctx.moveTo(x, y);
            ctx.lineTo(x - r, y - 1.6 * r);
            ctx.lineTo(x + r, y - 1.6 * r);
          } else {
            const y = top + height - r - 1;
            ctx.moveTo(x, y - r);
            ctx.lineTo(x + r, y);
            ctx.lineTo(x, y + r);
            ctx.lineTo(x - r, y);
          }
          ctx.closePath();
          ctx.fill();
        }
        ctx.restore();
      },
    },
  };
}
