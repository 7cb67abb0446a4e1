import { Router } from 'express';
import { batchHandler, scoreHandler, SCORE_VIEWS, type ScoreHandlerConfig } from '../handlers/score-handlers.js';
import { expressHandler } from '../http/express-adapter.js';
import { jsonBody } from '../http/json-body.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Scorer } from '../scoring/scorer.js';

/** One applicant's JSON is ~200 bytes; 16 KiB leaves room for whitespace and nothing else. */
export const SINGLE_BODY_LIMIT_BYTES = 16 * 1024;
/** A batch may carry BATCH_MAX_ITEMS applicants at up to this many bytes each. */
export const BATCH_BYTES_PER_ITEM = 512;

/** The synchronous scoring endpoints: the three seed endpoints, /scores, and /scores/batch. */
export function scoringRoutes(scorer: Scorer, metrics: GatewayMetrics, config: ScoreHandlerConfig): Router {
  const router = Router();
  for (const [path, view] of Object.entries(SCORE_VIEWS)) {
    router.post(
      path,
      jsonBody(SINGLE_BODY_LIMIT_BYTES),
      expressHandler(scoreHandler(scorer, metrics, config, path, view)),
    );
  }
  router.post(
    '/scores/batch',
    jsonBody(config.BATCH_MAX_ITEMS * BATCH_BYTES_PER_ITEM),
    expressHandler(batchHandler(scorer, metrics, config)),
  );
  return router;
}
