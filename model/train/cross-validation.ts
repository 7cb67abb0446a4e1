import type { LabelledRow } from './german-data.js';
import { fitModel, predictProbability } from './logistic-model.js';

/** How cross-validation is run: k folds, repeated with fresh shuffles, from one seed. */
export interface CrossValidationPlan {
  readonly folds: number;
  readonly repeats: number;
  readonly seed: number;
  readonly l2: number;
}

/** mulberry32: a small seeded PRNG with uniform output in [0, 1), identical on every platform. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place, driven by `random`. */
function shuffle(items: number[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** Fold of each row: each class shuffled, then dealt round-robin, so every fold keeps the bad rate. */
function stratifiedFolds(rows: readonly LabelledRow[], folds: number, random: () => number): Uint8Array {
  const foldOf = new Uint8Array(rows.length);
  for (const isBad of [false, true]) {
    const members = rows.flatMap((row, index) => (row.isBad === isBad ? [index] : []));
    shuffle(members, random);
    members.forEach((rowIndex, position) => {
      foldOf[rowIndex] = position % folds;
    });
  }
  return foldOf;
}

/** Out-of-fold probabilities: each row scored by the model fitted on the other folds. */
function outOfFoldProbabilities(
  rows: readonly LabelledRow[],
  foldOf: Uint8Array,
  plan: CrossValidationPlan,
): Float64Array {
  const probabilities = new Float64Array(rows.length);
  for (let fold = 0; fold < plan.folds; fold++) {
    const model = fitModel(
      rows.filter((_, index) => foldOf[index] !== fold),
      plan.l2,
    );
    const heldOut = rows.flatMap((_, index) => (foldOf[index] === fold ? [index] : []));
    const predicted = predictProbability(
      model,
      heldOut.map((index) => rows[index]!),
    );
    heldOut.forEach((rowIndex, position) => {
      probabilities[rowIndex] = predicted[position]!;
    });
  }
  return probabilities;
}

/**
 * Repeated stratified k-fold cross-validation: one array of out-of-fold probabilities (row order)
 * per repeat. One PRNG stream drives all shuffles, so the result depends only on the plan.
 */
export function crossValidate(rows: readonly LabelledRow[], plan: CrossValidationPlan): Float64Array[] {
  const random = mulberry32(plan.seed);
  return Array.from({ length: plan.repeats }, () =>
    outOfFoldProbabilities(rows, stratifiedFolds(rows, plan.folds, random), plan),
  );
}
