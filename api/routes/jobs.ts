import { Router } from 'express';
import { jobStatusHandler, submitJobHandler, type JobHandlerConfig } from '../handlers/job-handlers.js';
import { expressHandler } from '../http/express-adapter.js';
import { jsonBody } from '../http/json-body.js';
import type { JobTracker } from '../jobs/job-tracker.js';
import type { Scorer } from '../scoring/scorer.js';
import { BATCH_BYTES_PER_ITEM } from './scoring.js';

/** Asynchronous submission and polling. */
export function jobRoutes(scorer: Scorer, tracker: JobTracker, config: JobHandlerConfig): Router {
  const router = Router();
  router.post(
    '/jobs',
    jsonBody(config.BATCH_MAX_ITEMS * BATCH_BYTES_PER_ITEM),
    expressHandler(submitJobHandler(scorer, config)),
  );
  router.get('/jobs/:id', expressHandler(jobStatusHandler(tracker, config)));
  return router;
}
