import type { RISK_CATEGORY_LABELS } from './onnx-contract.js';
import { COST_BAD_ACCEPTED, COST_GOOD_DECLINED, auc, brierScore, declineRate, expectedCost } from './metrics.js';

/** Threshold that minimises expected cost for a calibrated probability: 1 / (1 + 5). */
export const BAYES_THRESHOLD = COST_GOOD_DECLINED / (COST_GOOD_DECLINED + COST_BAD_ACCEPTED);

/** One risk band as the cross-validated predictions fill it. */
export interface BandSummary {
  readonly share: number;
  readonly badRate: number;
}

/** Quality of the cross-validated predictions; rates and costs are per applicant. */
export interface Evaluation {
  readonly aucs: readonly number[];
  readonly meanAuc: number;
  readonly brier: number;
  readonly meanProbability: number;
  readonly expectedCost: number;
  readonly declineRate: number;
  readonly expectedCostAtBayesThreshold: number;
  readonly expectedCostDeclineAll: number;
  readonly expectedCostAcceptAll: number;
  readonly bands: Readonly<Record<(typeof RISK_CATEGORY_LABELS)[number], BandSummary>>;
}

/** The repeats' out-of-fold probabilities end to end, with labels to match. */
export function poolRepeats(
  repeats: readonly Float64Array[],
  isBad: readonly boolean[],
): { probabilities: Float64Array; isBad: boolean[] } {
  const probabilities = new Float64Array(repeats.length * isBad.length);
  repeats.forEach((repeat, index) => probabilities.set(repeat, index * isBad.length));
  return { probabilities, isBad: repeats.flatMap(() => isBad) };
}

function band(probabilities: Float64Array, isBad: readonly boolean[], from: number, to: number): BandSummary {
  const members = Array.from(probabilities.keys()).filter((i) => probabilities[i]! >= from && probabilities[i]! < to);
  return {
    share: members.length / probabilities.length,
    badRate: members.filter((i) => isBad[i]).length / members.length,
  };
}

/**
 * Scores repeated cross-validation: AUC per repeat and its mean; Brier score, expected cost and
 * band shares over all repeats pooled (the mean over repeats, as every repeat has the same rows).
 */
export function evaluate(
  repeats: readonly Float64Array[],
  labels: readonly boolean[],
  decisionThreshold: number,
  riskBandThresholds: readonly [number, number],
): Evaluation {
  const aucs = repeats.map((repeat) => auc(repeat, labels));
  const { probabilities, isBad } = poolRepeats(repeats, labels);
  const [lower, upper] = riskBandThresholds;
  return {
    aucs,
    meanAuc: aucs.reduce((sum, value) => sum + value, 0) / aucs.length,
    brier: brierScore(probabilities, isBad),
    meanProbability: probabilities.reduce((sum, p) => sum + p, 0) / probabilities.length,
    expectedCost: expectedCost(probabilities, isBad, decisionThreshold),
    declineRate: declineRate(probabilities, decisionThreshold),
    expectedCostAtBayesThreshold: expectedCost(probabilities, isBad, BAYES_THRESHOLD),
    expectedCostDeclineAll: expectedCost(probabilities, isBad, -Infinity),
    expectedCostAcceptAll: expectedCost(probabilities, isBad, Infinity),
    bands: {
      LOW: band(probabilities, isBad, -Infinity, lower),
      MEDIUM: band(probabilities, isBad, lower, upper),
      HIGH: band(probabilities, isBad, upper, Infinity),
    },
  };
}
