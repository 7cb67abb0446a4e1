import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { NotFound } from './errors.js';
import { jsonBody } from './http/json-body.js';
import { problemMiddleware } from './http/problem.js';
import { scoringRoutes } from './routes/scoring.js';
import type { Scorer } from './scoring/scorer.js';

export const BODY_LIMIT_BYTES = 16 * 1024;

export interface AppDeps {
  scorer: Scorer;
  log: Logger;
}

/** The gateway's HTTP surface, without a socket: tests and main.ts both build it here. */
export function createApp({ scorer, log }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.post(['/decisions', '/probabilities', '/risk_categories'], jsonBody(BODY_LIMIT_BYTES));
  app.use(scoringRoutes(scorer));

  app.use((req, _res, next) => next(new NotFound(`${req.method} ${req.path}`)));
  app.use(problemMiddleware(log, BODY_LIMIT_BYTES));
  return app;
}
