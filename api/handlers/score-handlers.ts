import { Applicant } from '../../shared/applicant.js';
import type { Config } from '../../shared/config.js';
import type { Score } from '../../shared/score.js';
import { batchRequest } from '../contract.js';
import type { Handler } from '../http/exchange.js';
import { waitPreference } from '../http/prefer.js';
import { parseInput } from '../http/validation.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Scorer } from '../scoring/scorer.js';
import { acceptedAnswer, scoredAnswer } from './answers.js';
import { resultsJson, scoreJson } from './score-json.js';

export type ScoreHandlerConfig = Pick<Config, 'SYNC_WAIT_MS' | 'SYNC_WAIT_MAX_MS' | 'BATCH_MAX_ITEMS' | 'BASE_PATH'>;

/** What each synchronous single-applicant endpoint answers, by path. */
export const SCORE_VIEWS: Record<string, (score: Score) => object> = {
  '/decisions': (score) => ({ decision: score.decision }),
  '/probabilities': (score) => ({ probability: score.probability }),
  '/risk_categories': (score) => ({ risk_category: score.risk_category }),
  '/scores': scoreJson,
  '/reasons': (score) => ({ reasons: score.reasons }),
};

/** A synchronous endpoint for one applicant: 200 with the view of its score, or 202 to poll. */
export function scoreHandler(
  scorer: Scorer,
  metrics: GatewayMetrics,
  config: ScoreHandlerConfig,
  endpoint: string,
  view: (score: Score) => object,
): Handler {
  return async (request) => {
    const applicant = parseInput(Applicant, request.body);
    const { waitMs, applied } = waitPreference(request.header('prefer'), config.SYNC_WAIT_MS, config.SYNC_WAIT_MAX_MS);
    const answer = await scorer.score(applicant, { waitMs, requestId: request.requestId, client: request.client });
    metrics.recordCache(endpoint, answer.kind === 'scored' && answer.cache === 'HIT' ? 'hit' : 'miss');
    return answer.kind === 'scored'
      ? scoredAnswer(view(answer.score), answer.cache, answer.score.model_version, appliedWhenAnswered(applied))
      : acceptedAnswer(config.BASE_PATH, answer.jobId, scorer.modelVersion, applied);
  };
}

/** A 200 answered at once (a hit) did not respond asynchronously, whatever the client preferred. */
function appliedWhenAnswered(applied: readonly string[]): string[] {
  return applied.filter((preference) => preference !== 'respond-async');
}

/** POST /scores/batch: every applicant's score in request order, or 202 with a batch to poll. */
export function batchHandler(scorer: Scorer, metrics: GatewayMetrics, config: ScoreHandlerConfig): Handler {
  const schema = batchRequest(config.BATCH_MAX_ITEMS);
  return async (request) => {
    const { applicants } = parseInput(schema, request.body);
    const { waitMs, applied } = waitPreference(request.header('prefer'), config.SYNC_WAIT_MS, config.SYNC_WAIT_MAX_MS);
    const answer = await scorer.scoreMany(applicants, { waitMs, requestId: request.requestId, client: request.client });
    if (answer.kind === 'pending')
      return acceptedAnswer(config.BASE_PATH, answer.batchId, scorer.modelVersion, applied);
    metrics.recordCache('/scores/batch', 'miss', answer.misses);
    metrics.recordCache('/scores/batch', 'hit', answer.scores.length - answer.misses);
    const cache = answer.misses === 0 ? 'HIT' : 'MISS';
    // During a rollout another version's worker may have answered some rows: name every version used.
    const versions = [...new Set(answer.scores.map((score) => score.model_version))].join(', ');
    return scoredAnswer(resultsJson(answer.scores), cache, versions, appliedWhenAnswered(applied));
  };
}
