import { Router } from 'express';
import { batchHandler, scoreHandler, SCORE_VIEWS, type ScoreHandlerConfig } from '../handlers/score-handlers.js';
import type { Handler } from '../http/exchange.js';
import { expressHandler } from '../http/express-adapter.js';
import { jsonBody } from '../http/json-body.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Scorer } from '../scoring/scorer.js';

/** One applicant's JSON is ~200 bytes; 16 KiB leaves room for whitespace and nothing else. */
export const SINGLE_BODY_LIMIT_BYTES = 16 * 1024;
/** A batch may carry BATCH_MAX_ITEMS applicants at up to this many bytes each. */
export const BATCH_BYTES_PER_ITEM = 512;

/** A synchronous scoring endpoint, ready to be served by either HTTP lane. */
export interface ScoringEndpoint {
  path: string;
  bodyLimitBytes: number;
  handler: Handler;
  /** Hot: served by the lean lane when it is on. */
  hot: boolean;
}

/** The three seed endpoints, /scores and /reasons (hot), and /scores/batch. */
export function scoringEndpoints(
  scorer: Scorer,
  metrics: GatewayMetrics,
  config: ScoreHandlerConfig,
): ScoringEndpoint[] {
  return [
    ...Object.entries(SCORE_VIEWS).map(([path, view]) => ({
      path,
      bodyLimitBytes: SINGLE_BODY_LIMIT_BYTES,
      handler: scoreHandler(scorer, metrics, config, path, view),
      hot: true,
    })),
    {
      path: '/scores/batch',
      bodyLimitBytes: config.BATCH_MAX_ITEMS * BATCH_BYTES_PER_ITEM,
      handler: batchHandler(scorer, metrics, config),
      hot: false,
    },
  ];
}

/** The same endpoints through Express. */
export function scoringRoutes(endpoints: readonly ScoringEndpoint[]): Router {
  const router = Router();
  for (const { path, bodyLimitBytes, handler } of endpoints) {
    router.post(path, jsonBody(bodyLimitBytes), expressHandler(handler));
  }
  return router;
}
