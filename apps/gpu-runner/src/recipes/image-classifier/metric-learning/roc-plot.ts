import type { RocCurve } from "@labtrack/core";

const WIDTH = 480;
const HEIGHT = 420;
const MARGIN = { left: 60, right: 20, top: 40, bottom: 50 };

const fmt = (x: number) => x.toFixed(1);

/**
 * The ROC curve as an SVG document (linear axes: FAR across, TAR up), with the chance diagonal,
 * the AUC in the title and the operating point at the chosen threshold marked. sharp turns it into
 * the PNG the run stores; the SVG needs no plotting library.
 */
export function rocCurveSvg(
  roc: RocCurve,
  title: string,
  operatingPoint?: { far: number; tar: number },
): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (far: number) => MARGIN.left + far * plotW;
  const y = (tar: number) => MARGIN.top + (1 - tar) * plotH;
  const path = roc.points.map((p, i) => `${i === 0 ? "M" : "L"}${fmt(x(p.far))},${fmt(y(p.tar))}`).join(" ");
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const grid = ticks
    .map(
      (t) =>
        `<line x1="${fmt(x(t))}" y1="${MARGIN.top}" x2="${fmt(x(t))}" y2="${MARGIN.top + plotH}" stroke="#eee"/>` +
        `<line x1="${MARGIN.left}" y1="${fmt(y(t))}" x2="${MARGIN.left + plotW}" y2="${fmt(y(t))}" stroke="#eee"/>` +
        `<text x="${fmt(x(t))}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${t}</text>` +
        `<text x="${MARGIN.left - 8}" y="${fmt(y(t) + 4)}" text-anchor="end">${t}</text>`,
    )
    .join("");
  const point = operatingPoint
    ? `<circle cx="${fmt(x(operatingPoint.far))}" cy="${fmt(y(operatingPoint.tar))}" r="5" fill="#d22"/>`
    : "";
  const escaped = title.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">` +
    `<rect width="100%" height="100%" fill="#fff"/>${grid}` +
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>` +
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#999" stroke-dasharray="4 4"/>` +
    `<path d="${path}" fill="none" stroke="#2457c5" stroke-width="2"/>${point}` +
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${escaped} (AUC ${roc.auc.toFixed(4)})</text>` +
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">false accept rate</text>` +
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">true accept rate</text>` +
    "</svg>"
  );
}
