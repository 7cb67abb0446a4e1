/** Cost of accepting an applicant who goes bad, from the data set's cost matrix. */
export const COST_BAD_ACCEPTED = 5;
/** Cost of declining an applicant who would have repaid. */
export const COST_GOOD_DECLINED = 1;

/** Share of applicants the model would decline at this threshold (DECLINE when p ≥ threshold). */
export function declineRate(probabilities: Float64Array, threshold: number): number {
  return probabilities.filter((p) => p >= threshold).length / probabilities.length;
}

/** Total cost (not per applicant) of declining every applicant with p ≥ threshold. */
export function totalCost(probabilities: Float64Array, isBad: readonly boolean[], threshold: number): number {
  let cost = 0;
  probabilities.forEach((p, i) => {
    if (p >= threshold) cost += isBad[i] ? 0 : COST_GOOD_DECLINED;
    else cost += isBad[i] ? COST_BAD_ACCEPTED : 0;
  });
  return cost;
}

/** Expected cost per applicant under the 5:1 matrix when declining p ≥ threshold. */
export function expectedCost(probabilities: Float64Array, isBad: readonly boolean[], threshold: number): number {
  return totalCost(probabilities, isBad, threshold) / probabilities.length;
}

/** Mean squared difference between probability and outcome (0 or 1). */
export function brierScore(probabilities: Float64Array, isBad: readonly boolean[]): number {
  let sum = 0;
  probabilities.forEach((p, i) => {
    sum += (p - (isBad[i] ? 1 : 0)) ** 2;
  });
  return sum / probabilities.length;
}

/** Row indices sorted by probability, ascending; ties keep row order so results are stable. */
function ascendingOrder(probabilities: Float64Array): number[] {
  return Array.from(probabilities.keys()).sort((a, b) => probabilities[a]! - probabilities[b]! || a - b);
}

/**
 * Area under the ROC curve: the chance a random bad applicant scores above a random good one,
 * ties counting half (Mann–Whitney with mid-ranks).
 */
export function auc(probabilities: Float64Array, isBad: readonly boolean[]): number {
  const order = ascendingOrder(probabilities);
  let badRankSum = 0;
  let bads = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && probabilities[order[end + 1]!] === probabilities[order[start]!]) end++;
    const midRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (isBad[order[k]!]) {
        badRankSum += midRank;
        bads++;
      }
    }
    start = end + 1;
  }
  const goods = order.length - bads;
  return (badRankSum - (bads * (bads + 1)) / 2) / (bads * goods);
}

/** A point of the ROC curve: false-positive rate (goods declined), true-positive rate (bads declined). */
export interface RocPoint {
  readonly falsePositiveRate: number;
  readonly truePositiveRate: number;
}

/** ROC curve from (0,0) to (1,1), one point per distinct probability used as threshold. */
export function rocCurve(probabilities: Float64Array, isBad: readonly boolean[]): RocPoint[] {
  const order = ascendingOrder(probabilities).reverse();
  const bads = isBad.filter(Boolean).length;
  const goods = isBad.length - bads;
  const points: RocPoint[] = [{ falsePositiveRate: 0, truePositiveRate: 0 }];
  let declinedBad = 0;
  let declinedGood = 0;
  order.forEach((row, position) => {
    if (isBad[row]) declinedBad++;
    else declinedGood++;
    const next = order[position + 1];
    if (next === undefined || probabilities[next] !== probabilities[row]) {
      points.push({ falsePositiveRate: declinedGood / goods, truePositiveRate: declinedBad / bads });
    }
  });
  return points;
}

/** One bin of a reliability diagram. */
export interface CalibrationBin {
  readonly meanProbability: number;
  readonly badRate: number;
  readonly count: number;
}

/** Reliability diagram: rows sorted by probability, cut into `bins` bins of (near) equal count. */
export function calibrationBins(
  probabilities: Float64Array,
  isBad: readonly boolean[],
  bins: number,
): CalibrationBin[] {
  const order = ascendingOrder(probabilities);
  return Array.from({ length: bins }, (_, bin) => {
    const members = order.slice(Math.round((bin * order.length) / bins), Math.round(((bin + 1) * order.length) / bins));
    const meanProbability = members.reduce((sum, row) => sum + probabilities[row]!, 0) / members.length;
    const badRate = members.filter((row) => isBad[row]).length / members.length;
    return { meanProbability, badRate, count: members.length };
  });
}
