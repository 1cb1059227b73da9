/**
 * Face-verification metrics over scored pairs (a similarity per pair, higher = more alike), as LFW
 * reports them. Everywhere a pair is called "same" when `score >= threshold`.
 */

export interface ScoredPair {
  score: number;
  same: boolean;
}

export interface FoldedPair extends ScoredPair {
  /** 0-based fold. */
  fold: number;
}

export interface ThresholdChoice {
  threshold: number;
  /** Accuracy at that threshold on the pairs it was chosen on. */
  accuracy: number;
}

function checkScores(pairs: readonly ScoredPair[]): void {
  const bad = pairs.findIndex((p) => !Number.isFinite(p.score));
  if (bad >= 0) throw new RangeError(`pair ${bad} has a non-finite score (${pairs[bad]?.score})`);
}

/** Share of pairs called right at `threshold`; 0 for no pairs. */
export function accuracyAtThreshold(pairs: readonly ScoredPair[], threshold: number): number {
  if (pairs.length === 0) return 0;
  let correct = 0;
  for (const p of pairs) if (p.score >= threshold === p.same) correct += 1;
  return correct / pairs.length;
}

/**
 * The threshold with the highest accuracy on `pairs`, found exactly by one sweep over the sorted
 * scores. Candidates: the lowest score (all called same), the midpoint between each two adjacent
 * distinct scores, and the highest score + 1 (all called different). Ties go to the lowest threshold.
 */
export function bestThreshold(pairs: readonly ScoredPair[]): ThresholdChoice {
  if (pairs.length === 0) throw new RangeError("bestThreshold needs at least one pair");
  checkScores(pairs);
  const sorted = [...pairs].sort((a, b) => a.score - b.score);
  const sameTotal = sorted.filter((p) => p.same).length;
  // Threshold at sorted[0]: every pair is called same.
  let best: ThresholdChoice = {
    threshold: (sorted[0] as ScoredPair).score,
    accuracy: sameTotal / sorted.length,
  };
  let differentBelow = 0;
  let sameBelow = 0;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i] as ScoredPair;
    if (p.same) sameBelow += 1;
    else differentBelow += 1;
    const next = sorted[i + 1];
    if (next && next.score === p.score) continue;
    // Pairs 0..i are called different, the rest same.
    const correct = differentBelow + (sameTotal - sameBelow);
    const accuracy = correct / sorted.length;
    if (accuracy > best.accuracy) {
      best = { threshold: next ? (p.score + next.score) / 2 : p.score + 1, accuracy };
    }
  }
  return best;
}

export interface KFoldVerification {
  /** Mean of the per-fold accuracies. */
  accuracy: number;
  /** Population standard deviation of the per-fold accuracies (numpy's std, as insightface and facenet report). */
  std: number;
  foldAccuracies: number[];
  /** The threshold each fold was scored at, chosen on the other folds. */
  foldThresholds: number[];
  /** The threshold chosen on all pairs: the one to use on new pairs. */
  threshold: number;
  /** Accuracy at `threshold` on all pairs (optimistic: chosen on the same pairs). */
  accuracyAtThreshold: number;
}

/**
 * LFW's protocol: for each fold, choose the threshold that maximises accuracy on the other folds
 * and score this fold with it; report the mean and spread of the fold accuracies. Folds without
 * pairs are skipped; at least two non-empty folds are needed.
 */
export function kFoldVerification(pairs: readonly FoldedPair[]): KFoldVerification {
  checkScores(pairs);
  const foldIds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
  if (foldIds.length < 2) {
    throw new RangeError(`threshold selection needs pairs in at least 2 folds, got ${foldIds.length}`);
  }
  const foldAccuracies: number[] = [];
  const foldThresholds: number[] = [];
  for (const fold of foldIds) {
    const { threshold } = bestThreshold(pairs.filter((p) => p.fold !== fold));
    foldThresholds.push(threshold);
    foldAccuracies.push(
      accuracyAtThreshold(
        pairs.filter((p) => p.fold === fold),
        threshold,
      ),
    );
  }
  const accuracy = foldAccuracies.reduce((a, b) => a + b, 0) / foldAccuracies.length;
  const variance = foldAccuracies.reduce((a, b) => a + (b - accuracy) ** 2, 0) / foldAccuracies.length;
  const overall = bestThreshold(pairs);
  return {
    accuracy,
    std: Math.sqrt(variance),
    foldAccuracies,
    foldThresholds,
    threshold: overall.threshold,
    accuracyAtThreshold: overall.accuracy,
  };
}

export interface TarAtFar {
  /** True accept rate (share of same pairs called same) at the best threshold whose FAR <= the target. */
  tar: number;
  /** False accept rate reached there (<= the target). */
  far: number;
  threshold: number;
  /** Different pairs: with fewer than 1/far of them, the target means no false accept at all. */
  impostorPairs: number;
}

/**
 * TAR at a target FAR: the highest true accept rate over thresholds that accept at most
 * floor(far × impostors) different pairs. Needs at least one same and one different pair.
 */
export function tarAtFar(pairs: readonly ScoredPair[], targetFar: number): TarAtFar {
  checkScores(pairs);
  const impostors = pairs
    .filter((p) => !p.same)
    .map((p) => p.score)
    .sort((a, b) => b - a);
  const genuine = pairs.filter((p) => p.same).map((p) => p.score);
  if (impostors.length === 0 || genuine.length === 0) {
    throw new RangeError("TAR at FAR needs at least one same and one different pair");
  }
  const allowed = Math.floor(targetFar * impostors.length + 1e-9);
  if (allowed >= impostors.length) {
    return {
      tar: 1,
      far: 1,
      threshold: Math.min(...pairs.map((p) => p.score)),
      impostorPairs: impostors.length,
    };
  }
  // Accept strictly above the (allowed+1)-th highest impostor score.
  const cut = impostors[allowed] as number;
  const above = pairs.map((p) => p.score).filter((s) => s > cut);
  const threshold = above.length > 0 ? (cut + Math.min(...above)) / 2 : cut + 1;
  const tar = genuine.filter((s) => s >= threshold).length / genuine.length;
  const far = impostors.filter((s) => s >= threshold).length / impostors.length;
  return { tar, far, threshold, impostorPairs: impostors.length };
}

export interface RocPoint {
  threshold: number;
  far: number;
  tar: number;
}

export interface RocCurve {
  /** From (far 0, tar 0) to (1, 1), thresholds descending; one point per distinct score. */
  points: RocPoint[];
  /** Area under the curve (trapezoids). */
  auc: number;
}

/** The ROC curve of the pairs' scores: a point for each distinct score used as threshold. */
export function rocCurve(pairs: readonly ScoredPair[]): RocCurve {
  checkScores(pairs);
  const sorted = [...pairs].sort((a, b) => b.score - a.score);
  const sameTotal = sorted.filter((p) => p.same).length;
  const differentTotal = sorted.length - sameTotal;
  const rate = (n: number, total: number) => (total > 0 ? n / total : 0);
  const top = sorted[0]?.score ?? 0;
  const points: RocPoint[] = [{ threshold: top + 1, far: 0, tar: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i] as ScoredPair;
    if (p.same) tp += 1;
    else fp += 1;
    if (sorted[i + 1]?.score === p.score) continue;
    points.push({ threshold: p.score, far: rate(fp, differentTotal), tar: rate(tp, sameTotal) });
  }
  let auc = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as RocPoint;
    const b = points[i] as RocPoint;
    auc += ((b.far - a.far) * (a.tar + b.tar)) / 2;
  }
  return { points, auc };
}
