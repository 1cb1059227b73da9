import type { JsonValue } from "@labtrack/schemas";
import { z } from "zod";

const finite = z.number().nullable();

/** What an image-classifier run reports in `run.results` (see gpu-runner's recipe). */
const classifierResultsSchema = z.object({
  confusion_matrix: z
    .union([
      z.object({ labels: z.array(z.string()), matrix: z.array(z.array(z.number())) }),
      z.object({ labels: z.array(z.string()), per_class: z.array(z.array(z.array(z.number()))) }),
    ])
    .optional(),
  per_class: z
    .array(
      z.object({
        name: z.string(),
        precision: finite,
        recall: finite,
        f1: finite,
        support: z.number().optional(),
      }),
    )
    .optional(),
  thresholds: z.array(z.number()).optional(),
  threshold_kind: z.string().optional(),
  class_names: z.array(z.string()).optional(),
  backend: z.string().optional(),
  multi_label: z.boolean().optional(),
});

export type ClassifierResults = z.infer<typeof classifierResultsSchema> & {
  /** `test/accuracy`, `test/f1` … */
  testMetrics: [string, number][];
  /** Other scalar results worth showing (best epoch, training time …). */
  facts: [string, string][];
};

const FACT_KEYS = [
  "backend",
  "best_epoch",
  "epochs_run",
  "training_time_s",
  "monitor",
  "test_split",
  "images_skipped",
];

/** The classifier part of a run's results, or null when the run reported none. */
export function parseClassifierResults(results: Record<string, JsonValue>): ClassifierResults | null {
  const parsed = classifierResultsSchema.safeParse(results);
  if (!parsed.success) return null;
  const data = parsed.data;
  if (!data.confusion_matrix && !data.per_class && !data.thresholds) return null;
  const testMetrics = Object.entries(results)
    .filter(
      (entry): entry is [string, number] => entry[0].startsWith("test/") && typeof entry[1] === "number",
    )
    .sort(([a], [b]) => a.localeCompare(b));
  const facts = FACT_KEYS.flatMap((key): [string, string][] => {
    const value = results[key];
    if (value === undefined || value === null || typeof value === "object") return [];
    return [[key, typeof value === "number" && !Number.isInteger(value) ? value.toFixed(2) : String(value)]];
  });
  return { ...data, testMetrics, facts };
}

/** Row-normalised shares (recall per true class), for the heatmap's colour. */
export function rowShares(matrix: number[][]): number[][] {
  return matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}
