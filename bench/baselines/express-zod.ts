/**
 * Baseline (b): what a plain Express 5 app pays on top of the floor: express.json(), the real
 * Applicant schema (zod), then the same HGETALL and reply. ETags are off, as in the gateway.
 */
import express from 'express';
import { Redis } from 'ioredis';
import { Applicant } from '../../shared/applicant.js';
import { loadBaselineConfig } from './baseline-config.js';
import { fromFloorHash } from './floor-score.js';

const config = loadBaselineConfig(process.env);
const redis = new Redis(config.REDIS_URL);

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/scores', express.json(), async (req, res) => {
  const parsed = Applicant.safeParse(req.body);
  if (!parsed.success) {
    res.status(422).json({ errors: parsed.error.issues.map((issue) => issue.message) });
    return;
  }
  const score = fromFloorHash(await redis.hgetall(config.FLOOR_KEY));
  if (score) res.json(score);
  else res.status(500).end();
});
app.listen(config.PORT, '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
