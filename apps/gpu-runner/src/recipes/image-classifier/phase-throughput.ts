import type { ImageClassifierSpec } from "@labtrack/schemas";
import type { EpochRecord } from "./checkpoint.ts";
import { type FeatureCacheMode, featureCacheMode } from "./feature-cache.ts";

export interface PhaseThroughput {
  phase: number;
  name: string | null;
  epochs_run: number;
  training_s: number;
  /** Of training_s: computing cached backbone features (once per phase). */
  feature_extraction_s: number;
  /** Training images seen per second of the phase's wall time, feature extraction included. */
  images_per_s: number;
  feature_cache: FeatureCacheMode;
}

/** Per-phase wall time and images/s from the epoch history (which survives a resume). */
export function phaseThroughput(
  spec: ImageClassifierSpec,
  history: readonly EpochRecord[],
): PhaseThroughput[] {
  return spec.phases.flatMap((phase, index) => {
    const epochs = history.filter((record) => record.phase === index);
    if (epochs.length === 0) return [];
    const seconds = epochs.reduce((sum, r) => sum + (r.metrics.epoch_time_s ?? 0), 0);
    const images = epochs.reduce(
      (sum, r) => sum + (r.metrics.images_per_s ?? 0) * (r.metrics.epoch_time_s ?? 0),
      0,
    );
    return [
      {
        phase: index,
        name: phase.name ?? null,
        epochs_run: epochs.length,
        training_s: seconds,
        feature_extraction_s: epochs.reduce((sum, r) => sum + (r.metrics.feature_extraction_s ?? 0), 0),
        images_per_s: seconds > 0 ? images / seconds : 0,
        feature_cache: featureCacheMode(spec, phase.trainable !== "head"),
      },
    ];
  });
}

/** Training images per second over all phases. */
export function overallImagesPerSecond(phases: readonly PhaseThroughput[]): number {
  const seconds = phases.reduce((sum, p) => sum + p.training_s, 0);
  const images = phases.reduce((sum, p) => sum + p.images_per_s * p.training_s, 0);
  return seconds > 0 ? images / seconds : 0;
}
