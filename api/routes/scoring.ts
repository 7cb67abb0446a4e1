import { Router, type Response } from 'express';
import { Applicant } from '../../shared/applicant.js';
import type { Score } from '../../shared/score.js';
import { parseInput } from '../http/validation.js';
import type { Scorer, ScoreOutcome } from '../scoring/scorer.js';

/** The three original endpoints, each answering one of the model's answers. */
const SEED_ENDPOINTS: Record<string, (score: Score) => object> = {
  '/decisions': (score) => ({ decision: score.decision }),
  '/probabilities': (score) => ({ probability: score.probability }),
  '/risk_categories': (score) => ({ risk_category: score.risk_category }),
};

/** RFC 9211 names the cache that answered; a miss was forwarded to the model and its answer stored. */
const CACHE_STATUS = { HIT: 'credit-scoring; hit', MISS: 'credit-scoring; fwd=miss; stored' } as const;

function sendScore(res: Response, outcome: ScoreOutcome, body: object): void {
  res
    .set({
      'X-Cache': outcome.cache,
      'Cache-Status': CACHE_STATUS[outcome.cache],
      'X-Model-Version': outcome.score.model_version,
    })
    .json(body);
}

export function scoringRoutes(scorer: Scorer): Router {
  const router = Router();
  for (const [path, answer] of Object.entries(SEED_ENDPOINTS)) {
    router.post(path, async (req, res) => {
      const applicant = parseInput(Applicant, req.body);
      const outcome = await scorer.score(applicant, req.get('x-request-id'));
      sendScore(res, outcome, answer(outcome.score));
    });
  }
  return router;
}
