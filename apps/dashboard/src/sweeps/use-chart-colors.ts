import { useEffect, useState } from "react";
import { type ChartTheme, readChartTheme } from "../charts/chart-theme.ts";
import { useTheme } from "../components/theme.tsx";

export interface PanelColors extends ChartTheme {
  /** The panels' background (`--bg-raised`). */
  background: string;
}

function readColors(): PanelColors {
  const background = getComputedStyle(document.documentElement).getPropertyValue("--bg-raised").trim();
  return { ...readChartTheme(), background: background || "#ffffff" };
}

/**
 * The chart colours of the current theme. The theme's CSS variables change in the provider's
 * effect, after this component renders, so they are read again on the next frame.
 */
export function useChartColors(): PanelColors {
  const { theme } = useTheme();
  const [colors, setColors] = useState(readColors);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a theme change is what makes the colours change
  useEffect(() => {
    const frame = requestAnimationFrame(() => setColors(readColors()));
    return () => cancelAnimationFrame(frame);
  }, [theme]);
  return colors;
}
