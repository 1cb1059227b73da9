/** Distinct on both themes; ordered so that the first few runs get the most distinguishable hues. */
export const RUN_PALETTE = [
  "#3b82f6",
  "#f59e0b",
  "#10b981",
  "#ef4444",
  "#8b5cf6",
  "#06b6d4",
  "#ec4899",
  "#84cc16",
  "#f97316",
  "#6366f1",
  "#14b8a6",
  "#e11d48",
] as const;

/** FNV-1a: a small, stable string hash. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A colour per run that depends only on the run id and the other runs shown: each run prefers the
 * palette slot its id hashes to and takes the next free one when that is taken, so adding or
 * removing a run rarely recolours the others and a shared link shows the same colours. Beyond the
 * palette, runs get a hue from their hash.
 */
export function assignRunColors(runIds: readonly string[]): Map<string, string> {
  const colors = new Map<string, string>();
  const taken = new Set<number>();
  // Sorted ids: the result must not depend on the order runs were selected in.
  for (const id of [...new Set(runIds)].sort()) {
    const hash = hashString(id);
    if (taken.size < RUN_PALETTE.length) {
      let slot = hash % RUN_PALETTE.length;
      while (taken.has(slot)) slot = (slot + 1) % RUN_PALETTE.length;
      taken.add(slot);
      colors.set(id, RUN_PALETTE[slot] ?? RUN_PALETTE[0]);
    } else {
      const hue = hash % 360;
      const lightness = 45 + (hash % 3) * 8;
      colors.set(id, `hsl(${hue} 70% ${lightness}%)`);
    }
  }
  return colors;
}

/** The colour with an alpha, for the faint raw curve behind a smoothed one. */
export function withAlpha(color: string, alpha: number): string {
  if (color.startsWith("#") && color.length === 7) {
    const a = Math.round(Math.min(1, Math.max(0, alpha)) * 255);
    return `${color}${a.toString(16).padStart(2, "0")}`;
  }
  return color.replace(/\)$/, ` / ${alpha})`);
}
