import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import type { XAxis } from "../compare/compare-url-state.ts";
import { navigate, useLocation } from "../routing/location.tsx";
import { loadedSeries } from "./series-query.ts";
import { convertWindow, formatZoomParam, parseZoomParam, sameWindow, type XWindow } from "./zoom-window.ts";

/** The current URL with its `zoom` parameter set to `window` (or removed), and `x` if given. */
function urlWithZoom(window: XWindow | null, xAxis?: XAxis): string {
  const url = new URL(globalThis.location.href);
  if (window) url.searchParams.set("zoom", formatZoomParam(window));
  else url.searchParams.delete("zoom");
  if (xAxis === "step") url.searchParams.delete("x");
  else if (xAxis) url.searchParams.set("x", xAxis);
  return `${url.pathname}${url.search.replaceAll("%2C", ",")}`;
}

/**
 * The zoom every chart of a page shares, kept in the URL's `zoom` parameter: a reload restores it,
 * and each zoom is a history entry, so Back returns to the previous window. `convert` carries the
 * zoom to another x axis (from what the page's charts have loaded), or drops it.
 */
export function useUrlZoom(runIds: readonly string[]) {
  const { search } = useLocation();
  const text = search.get("zoom");
  const zoom = useMemo(() => parseZoomParam(text), [text]);
  const queryClient = useQueryClient();
  const setZoom = useCallback((window: XWindow | null, opts: { replace?: boolean; xAxis?: XAxis } = {}) => {
    const current = new URL(globalThis.location.href).searchParams;
    if (sameWindow(window, parseZoomParam(current.get("zoom"))) && !opts.xAxis) return;
    navigate(urlWithZoom(window, opts.xAxis), opts);
  }, []);
  const convert = useCallback(
    (window: XWindow | null, from: XAxis, to: XAxis): XWindow | null =>
      window === null ? null : convertWindow(window, from, to, loadedSeries(queryClient, runIds)),
    [queryClient, runIds],
  );
  return { zoom, setZoom, convert };
}
