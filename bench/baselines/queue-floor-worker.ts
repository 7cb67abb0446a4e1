/**
 * Baseline (c), the queue floor's back: a BullMQ worker that does nothing but answer, in its own
 * process like the real worker, with the real worker's default concurrency.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { FLOOR_QUEUE, loadBaselineConfig } from './baseline-config.js';
import { FLOOR_SCORE } from './floor-score.js';

const config = loadBaselineConfig(process.env);
const worker = new Worker(FLOOR_QUEUE, async () => FLOOR_SCORE, {
  connection: new Redis(config.REDIS_URL, { maxRetriesPerRequest: null }),
  prefix: config.QUEUE_PREFIX,
  concurrency: config.WORKER_CONCURRENCY,
});
worker.on('error', (error) => console.error(error.message));
process.once('SIGTERM', () => process.exit(0));
