import { Link } from "../routing/location.tsx";
import { paths } from "../routing/routes.ts";

interface RunLegendProps {
  runIds: readonly string[];
  runNames: ReadonlyMap<string, string>;
  colors: ReadonlyMap<string, string>;
  hidden: ReadonlySet<string>;
  onToggle: (runId: string) => void;
  onRemove: (runId: string) => void;
}

/** One chip per run: its colour, a toggle that hides its curves, a link, and remove. */
export function RunLegend({ runIds, runNames, colors, hidden, onToggle, onRemove }: RunLegendProps) {
  return (
    <ul className="legend" aria-label="Runs">
      {runIds.map((id) => {
        const name = runNames.get(id) ?? id.slice(0, 8);
        const shown = !hidden.has(id);
        return (
          <li key={id} className={`legend-item ${shown ? "" : "off"}`}>
            <button
              type="button"
              className="legend-toggle"
              aria-pressed={shown}
              title={shown ? `Hide ${name}` : `Show ${name}`}
              onClick={() => onToggle(id)}
            >
              <span className="legend-swatch" style={{ background: colors.get(id) }} />
              <span className="truncate">{name}</span>
            </button>
            <Link href={paths.run(id)} className="legend-link" title={`Open ${name}`}>
              ↗
            </Link>
            <button
              type="button"
              className="legend-remove"
              onClick={() => onRemove(id)}
              title={`Remove ${name}`}
            >
              ×<span className="sr-only">Remove {name}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
