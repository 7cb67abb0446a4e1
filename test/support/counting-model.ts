import type { ScoringModel } from '../../worker/credit-model.js';

/**
 * `model`, reporting each run as it starts (with the number of applicants in it), so a test's
 * count is in before any answer can reach a client: the worker's own 'completed' event may come
 * after the gateway has replied.
 */
export function countingModel(model: ScoringModel, onRun: (applicants: number) => void): ScoringModel {
  return {
    version: model.version,
    score: (applicants) => {
      onRun(applicants.length);
      return model.score(applicants);
    },
  };
}
