import { standardNormal, type Uniform } from "./seeded-random.ts";

/** log(erfc(x)) for x >= 0, from Numerical Recipes' erfcc (relative error < 1.2e-7), without underflow. */
function logErfcNonNegative(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) + poly;
}

/** log(exp(a) - exp(b)) for a >= b. */
function logDiffExp(a: number, b: number): number {
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a + Math.log1p(-Math.exp(b - a));
}

/** log of the upper tail Q(z) = 1 - Phi(z). */
function logUpperTail(z: number): number {
  if (z >= 0) return Math.log(0.5) + logErfcNonNegative(z / Math.SQRT2);
  return Math.log1p(-0.5 * Math.exp(logErfcNonNegative(-z / Math.SQRT2)));
}

/** log(Phi(b) - Phi(a)) for a <= b, accurate far in either tail (as Optuna's _log_gauss_mass). */
export function logGaussMass(a: number, b: number): number {
  if (a >= b) return Number.NEGATIVE_INFINITY;
  if (a >= 0)
    return logDiffExp(
      logUpperTail(a),
      b === Number.POSITIVE_INFINITY ? Number.NEGATIVE_INFINITY : logUpperTail(b),
    );
  if (b <= 0) return logGaussMass(-b, -a);
  // a < 0 < b: 1 - Q(-a) - Q(b).
  return Math.log1p(-Math.exp(logUpperTail(-a)) - Math.exp(logUpperTail(b)));
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Log density at x of N(mu, sigma) truncated to [low, high]. */
export function truncatedNormalLogPdf(
  x: number,
  mu: number,
  sigma: number,
  low: number,
  high: number,
): number {
  if (x < low || x > high) return Number.NEGATIVE_INFINITY;
  const z = (x - mu) / sigma;
  return (
    -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma) - logGaussMass((low - mu) / sigma, (high - mu) / sigma)
  );
}

/** A draw of N(mu, sigma) truncated to [low, high], by rejection (mu lies in the range, so it is quick). */
export function sampleTruncatedNormal(
  mu: number,
  sigma: number,
  low: number,
  high: number,
  uniform: Uniform,
): number {
  for (let i = 0; i < 64; i++) {
    const x = mu + sigma * standardNormal(uniform);
    if (x >= low && x <= high) return x;
  }
  return Math.min(high, Math.max(low, mu));
}
