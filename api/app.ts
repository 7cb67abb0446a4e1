import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../shared/config.js';
import { NotFound } from './errors.js';
import { problemMiddleware } from './http/problem.js';
import type { JobTracker } from './jobs/job-tracker.js';
import { jobRoutes } from './routes/jobs.js';
import { scoringRoutes } from './routes/scoring.js';
import type { Scorer } from './scoring/scorer.js';

export type AppConfig = Pick<Config, 'BASE_PATH' | 'SYNC_WAIT_MS' | 'SYNC_WAIT_MAX_MS' | 'BATCH_MAX_ITEMS'>;

export interface AppDeps {
  scorer: Scorer;
  tracker: JobTracker;
  config: AppConfig;
  log: Logger;
}

/** The gateway's HTTP surface, without a socket: tests and main.ts both build it here. */
export function createApp({ scorer, tracker, config, log }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const root = express.Router();
  root.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  root.use(scoringRoutes(scorer, config));
  root.use(jobRoutes(scorer, tracker, config));
  app.use(config.BASE_PATH || '/', root);

  app.use((req, _res, next) => next(new NotFound(`${req.method} ${req.path}`)));
  app.use(problemMiddleware(log));
  return app;
}
