import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../shared/config.js';
import { readModelManifest } from '../shared/model-manifest.js';
import { SCORE_QUEUE, type ScoreJobData, type ScoreJobResult } from '../shared/queues.js';
import { createRedis } from '../shared/redis.js';
import { ScoreCache } from '../shared/score-cache.js';
import { CreditModel } from './credit-model.js';
import { createScoreProcessor } from './score-processor.js';

export interface ScoringWorker {
  worker: Worker<ScoreJobData, ScoreJobResult>;
  model: CreditModel;
  /** Lets the jobs in hand finish, then closes the connection; safe to call twice. */
  close: () => Promise<void>;
}

/** Loads the model and starts consuming the score queue. main.ts adds signals; tests use the same wiring. */
export async function startScoringWorker(config: Config, log: Logger): Promise<ScoringWorker> {
  const manifest = readModelManifest(config.MODEL_MANIFEST_PATH);
  const model = await CreditModel.load(config.MODEL_MANIFEST_PATH, manifest);

  const redis = createRedis(config.REDIS_URL, 'blocking', 'scoring-worker');
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const cache = new ScoreCache(redis, { ttlS: config.CACHE_TTL_SECONDS, jitterS: config.CACHE_TTL_JITTER_SECONDS });
  const worker = new Worker<ScoreJobData, ScoreJobResult>(
    SCORE_QUEUE,
    createScoreProcessor({ model, cache, cachePrefix: config.CACHE_PREFIX, log }),
    { connection: redis, prefix: config.QUEUE_PREFIX, concurrency: config.WORKER_CONCURRENCY },
  );
  worker.on('error', (err) => log.warn({ err: err.message }, 'worker error'));
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'));
  await worker.waitUntilReady();
  log.info({ modelVersion: model.version, concurrency: config.WORKER_CONCURRENCY }, 'worker ready');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await worker.close();
      await redis.quit().catch(() => undefined);
    })());
  return { worker, model, close };
}
