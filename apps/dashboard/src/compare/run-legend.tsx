import { memo, useState, useSyncExternalStore } from "react";
import type { HighlightStore } from "../charts/highlight-store.ts";
import { Link } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";

interface RunLegendProps {
  runIds: readonly string[];
  runNames: ReadonlyMap<string, string>;
  colors: ReadonlyMap<string, string>;
  hidden: ReadonlySet<string>;
  highlight: HighlightStore;
  onToggle: (runId: string) => void;
  onRemove: (runId: string) => void;
  onShowOnly: (runIds: string[] | null) => void;
}

/**
 * The compared runs as chips in a box that scrolls past three rows and folds away: colour, a toggle
 * that hides the run's curves, a link, remove. Hovering a chip highlights that run on every chart.
 */
export function RunLegend(props: RunLegendProps) {
  const { runIds, hidden, onShowOnly } = props;
  const [open, setOpen] = useState(true);
  return (
    <section className={`legend-panel ${open ? "" : "folded"}`} aria-label="Compared runs">
      <div className="legend-head">
        <button type="button" className="legend-fold" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span aria-hidden="true">{open ? "▾" : "▸"}</span> Runs{" "}
          <span className="muted small">
            {runIds.length}
            {hidden.size > 0 ? ` · ${hidden.size} hidden` : ""}
          </span>
        </button>
        {hidden.size > 0 && (
          <button type="button" className="btn btn-small btn-ghost" onClick={() => onShowOnly(null)}>
            Show all
          </button>
        )}
        {hidden.size < runIds.length && (
          <button type="button" className="btn btn-small btn-ghost" onClick={() => onShowOnly([])}>
            Hide all
          </button>
        )}
      </div>
      {open && (
        <ul className="legend" aria-label="Runs">
          {runIds.map((id) => (
            <LegendItem
              key={id}
              id={id}
              name={props.runNames.get(id) ?? id.slice(0, 8)}
              color={props.colors.get(id) ?? "#888"}
              shown={!hidden.has(id)}
              highlight={props.highlight}
              onToggle={props.onToggle}
              onRemove={props.onRemove}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

interface LegendItemProps {
  id: string;
  name: string;
  color: string;
  shown: boolean;
  highlight: HighlightStore;
  onToggle: (runId: string) => void;
  onRemove: (runId: string) => void;
}

/** Re-renders alone when it becomes or stops being the highlighted run. */
const LegendItem = memo(function LegendItem({
  id,
  name,
  color,
  shown,
  highlight,
  onToggle,
  onRemove,
}: LegendItemProps) {
  const highlighted = useSyncExternalStore(highlight.subscribe, () => highlight.get() === id);
  return (
    <li
      className={`legend-item ${shown ? "" : "off"} ${highlighted ? "highlighted" : ""}`}
      data-run-id={id}
      onMouseEnter={() => highlight.set(id)}
      onMouseLeave={() => highlight.set(null)}
    >
      <button
        type="button"
        className="legend-toggle"
        aria-pressed={shown}
        title={shown ? `Hide ${name}` : `Show ${name}`}
        onClick={() => onToggle(id)}
      >
        <span className="legend-swatch" style={{ background: color }} />
        <span className="truncate">{name}</span>
      </button>
      <Link href={paths.run(id)} className="legend-link" title={`Open ${name}`}>
        ↗
      </Link>
      <button type="button" className="legend-remove" onClick={() => onRemove(id)} title={`Remove ${name}`}>
        ×<span className="sr-only">Remove {name}</span>
      </button>
    </li>
  );
});
