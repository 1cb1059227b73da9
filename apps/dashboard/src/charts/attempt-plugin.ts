import type uPlot from "uplot";
import type { AttemptMark } from "./attempt-marks.ts";

/**
 * Where a retried run's next attempt began: a dashed vertical line in the run's colour with
 * "attempt N" at its top. From there on the curve shows that attempt's points (they replaced the
 * earlier attempt's at the same steps).
 */
export function attemptPlugin(
  marks: () => readonly AttemptMark[],
  color: (runId: string) => string,
): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const list = marks().filter((m) => m.begins);
        if (list.length === 0) return;
        const { ctx } = u;
        const { left, top, width, height } = u.bbox;
        const dpr = devicePixelRatio;
        ctx.save();
        ctx.beginPath();
        ctx.rect(left, top, width, height);
        ctx.clip();
        ctx.font = `${10 * dpr}px system-ui, sans-serif`;
        ctx.textBaseline = "top";
        for (const mark of list) {
          const x = u.valToPos(mark.x, "x", true);
          if (x < left || x > left + width) continue;
          const stroke = color(mark.runId);
          ctx.strokeStyle = stroke;
          ctx.fillStyle = stroke;
          ctx.lineWidth = dpr;
          ctx.setLineDash([6 * dpr, 4 * dpr]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          const label = `attempt ${mark.attempt}`;
          const textWidth = ctx.measureText(label).width;
          // Right of the line, or left of it near the right edge.
          const tx = x + 4 * dpr + textWidth > left + width ? x - 4 * dpr - textWidth : x + 4 * dpr;
          ctx.fillText(label, tx, top + 2 * dpr);
        }
        ctx.restore();
      },
    },
  };
}
