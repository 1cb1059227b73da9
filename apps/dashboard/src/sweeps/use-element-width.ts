import { useEffect, useRef, useState } from "react";

/** An element's width, in steps of 40 px, following resizes. */
export function useElementWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(1200);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() => {
      // Steps of 40 px: names are re-truncated when the width changes a lot, not on every pixel.
      setWidth(Math.round(element.clientWidth / 40) * 40);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
