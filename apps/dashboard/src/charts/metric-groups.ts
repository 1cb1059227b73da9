/**
 * Metrics grouped by their prefix (`train/loss` -> `train`), as TensorBoard and W&B section them;
 * keys without a prefix go to "charts". Sections are in a familiar order, then alphabetical.
 */
export function groupMetricsByPrefix(keys: readonly string[]): { section: string; keys: string[] }[] {
  const order = ["train", "val", "test", "charts", "sys"];
  const sections = new Map<string, string[]>();
  for (const key of [...keys].sort()) {
    const slash = key.indexOf("/");
    const section = slash > 0 ? key.slice(0, slash) : "charts";
    const list = sections.get(section);
    if (list) list.push(key);
    else sections.set(section, [key]);
  }
  const rank = (s: string) => {
    const i = order.indexOf(s);
    return i === -1 ? (s === "sys" ? 99 : 50) : i === order.length - 1 ? 99 : i;
  };
  return [...sections.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([section, list]) => ({ section, keys: list }));
}
