/** Chart colours come from the page's CSS variables, so charts follow the light/dark theme. */
export interface ChartTheme {
  axis: string;
  grid: string;
  text: string;
}

export function readChartTheme(element: Element = document.documentElement): ChartTheme {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    axis: read("--chart-axis", "#8891a5"),
    grid: read("--chart-grid", "rgba(128,128,128,0.15)"),
    text: read("--text-muted", "#8891a5"),
  };
}
