import { useEffect, useRef } from "react";
import type { CheckState } from "./run-selection.ts";

/** A checkbox for many runs: ticked when all are selected, half-ticked when some are. */
export function TriStateCheckbox({
  state,
  onClick,
  label,
}: {
  state: CheckState;
  onClick: () => void;
  label: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (input.current) input.current.indeterminate = state === "some";
  }, [state]);
  return (
    <input
      ref={input}
      type="checkbox"
      checked={state === "all"}
      aria-checked={state === "some" ? "mixed" : state === "all"}
      onChange={onClick}
      aria-label={label}
    />
  );
}
