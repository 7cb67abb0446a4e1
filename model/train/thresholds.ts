import { totalCost } from './metrics.js';

// Thresholds are searched on a 0.001 grid: finer cuts would only fit the noise of 1,000 rows,
// and round values read well in the manifest.
const GRID_STEPS = 1000;

/**
 * The decision threshold with the least total cost on the pooled cross-validated predictions
 * (DECLINE when p ≥ threshold). Many grid points tie, since the cost only changes where a
 * prediction lies; the middle of the first run of tied minima is taken, the cut furthest from
 * the predictions on either side.
 *
 * @param pooled out-of-fold probabilities of every repeat, concatenated
 * @param isBad labels aligned with `pooled`
 */
export function costMinimisingThreshold(pooled: Float64Array, isBad: readonly boolean[]): number {
  const costs = Array.from({ length: GRID_STEPS - 1 }, (_, index) =>
    totalCost(pooled, isBad, (index + 1) / GRID_STEPS),
  );
  const least = Math.min(...costs);
  const first = costs.indexOf(least);
  let last = first;
  while (costs[last + 1] === least) last++;
  return (Math.floor((first + last) / 2) + 1) / GRID_STEPS;
}

/**
 * Risk-band thresholds [lower, upper]: LOW below lower, HIGH from upper on. Lower is the decision
 * threshold, so LOW means exactly ACCEPT and the two answers never contradict each other; upper
 * is the bad rate of the training data, so HIGH means riskier than the average applicant.
 * Throws if the bad rate is not above the decision threshold (the bands would be out of order).
 */
export function riskBandThresholds(decisionThreshold: number, badRate: number): [number, number] {
  if (!(badRate > decisionThreshold)) {
    throw new Error(`bad rate ${badRate} is not above the decision threshold ${decisionThreshold}`);
  }
  return [decisionThreshold, badRate];
}

/** The graph's decision for a probability: 1 (DECLINE) from the threshold on, else 0 (ACCEPT). */
export function decisionCode(probability: number, decisionThreshold: number): 0 | 1 {
  return probability >= decisionThreshold ? 1 : 0;
}

/** The graph's risk category: how many band thresholds the probability reaches (0 LOW … 2 HIGH). */
export function riskCategoryCode(probability: number, [lower, upper]: readonly [number, number]): 0 | 1 | 2 {
  if (probability >= upper) return 2;
  return probability >= lower ? 1 : 0;
}
