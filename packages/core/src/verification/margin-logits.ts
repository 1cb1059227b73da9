/**
 * The margin heads of metric learning on plain numbers: the reference the recipe's tfjs version
 * is tested against. Embeddings and class weights are L2-normalised, so a logit is a cosine.
 */

export type MarginHeadKind = "cosface" | "arcface";

export interface MarginSettings {
  margin: number;
  scale: number;
}

/** `v / ||v||`; a zero vector stays zero. */
export function l2Normalize(v: readonly number[]): number[] {
  // Scaled by the largest magnitude first, so tiny or huge vectors neither underflow nor overflow.
  const largest = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  if (largest === 0 || !Number.isFinite(largest)) return v.map(() => 0);
  const scaled = v.map((x) => x / largest);
  const norm = Math.sqrt(scaled.reduce((sum, x) => sum + x * x, 0));
  return scaled.map((x) => x / norm);
}

/** Cosine of the angle between two vectors of equal length (0 when either is zero). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: ${a.length} and ${b.length}`);
  const na = l2Normalize(a);
  const nb = l2Normalize(b);
  return na.reduce((sum, x, i) => sum + x * (nb[i] ?? 0), 0);
}

/**
 * The target class's adjusted cosine. CosFace (Wang et al. 2018): cos θ − m. ArcFace (Deng et
 * al. 2019): cos(θ + m), and past θ + m > π (where cos(θ + m) would rise again) insightface's
 * fallback cos θ − m·sin m, which keeps the logit decreasing in θ.
 */
export function marginCosine(kind: MarginHeadKind, cosine: number, margin: number): number {
  if (kind === "cosface") return cosine - margin;
  const c = Math.min(1, Math.max(-1, cosine));
  if (c <= Math.cos(Math.PI - margin)) return c - Math.sin(Math.PI - margin) * margin;
  return c * Math.cos(margin) - Math.sqrt(1 - c * c) * Math.sin(margin);
}

/**
 * Training logits from the cosines to every class: `scale × cos`, with the margin applied to the
 * target class only. Inference uses `scale × cos` for every class (no margin).
 */
export function marginLogits(
  kind: MarginHeadKind,
  cosines: readonly number[],
  target: number,
  settings: MarginSettings,
): number[] {
  return cosines.map((c, j) => settings.scale * (j === target ? marginCosine(kind, c, settings.margin) : c));
}
