import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../shared/config.js';
import { ChunkSeal } from '../shared/portfolio-chunk.js';
import { KeySpace } from '../shared/keys.js';
import { PORTFOLIO_QUEUE, type PortfolioQueueData } from '../shared/portfolios.js';
import { PublicIds } from '../shared/public-id.js';
import { createRedis } from '../shared/redis.js';
import { ScoreCache } from '../shared/score-cache.js';
import { deriveKey, serviceSecret } from '../shared/secrets.js';
import type { ScoringModel } from './credit-model.js';
import { createPortfolioProcessor } from './portfolio-processor.js';

/** Chunks one worker process scores at once: each is one model run of up to a few thousand rows. */
const PORTFOLIO_CONCURRENCY = 2;
const MAX_STALLED_COUNT = 3;

export interface PortfolioWorker {
  worker: Worker<PortfolioQueueData>;
  close: () => Promise<void>;
}

/**
 * Consumes the portfolio queue beside the score queue, in the same worker process, with the same
 * model and cache. A worker that dies mid-chunk loses its lock; another takes the chunk again alone.
 */
export async function startPortfolioWorker(config: Config, log: Logger, model: ScoringModel): Promise<PortfolioWorker> {
  const secret = serviceSecret(config, log);
  const blocking = createRedis(config.QUEUE_REDIS_URL, 'blocking', 'portfolio-worker');
  const queueRedis = createRedis(config.QUEUE_REDIS_URL, 'writer', 'portfolio-worker-queue');
  const cacheRedis = createRedis(config.CACHE_REDIS_URL, 'writer', 'portfolio-worker-cache');
  const connections = [blocking, queueRedis, cacheRedis];
  for (const redis of connections) redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const queue = new Queue(PORTFOLIO_QUEUE, {
    connection: queueRedis,
    prefix: config.QUEUE_PREFIX,
    skipVersionCheck: true,
  });
  const worker = new Worker<PortfolioQueueData>(
    PORTFOLIO_QUEUE,
    createPortfolioProcessor({
      model,
      seal: new ChunkSeal(deriveKey(secret, 'portfolio-chunk')),
      ids: new PublicIds(deriveKey(secret, 'public-id')),
      cache: new ScoreCache(cacheRedis, { ttlS: config.CACHE_TTL_SECONDS, jitterS: config.CACHE_TTL_JITTER_SECONDS }),
      keys: KeySpace.of(config),
      redis: queueRedis,
      queue,
      retentionS: config.JOB_RETENTION_SECONDS,
      log,
    }),
    {
      connection: blocking,
      prefix: config.QUEUE_PREFIX,
      concurrency: PORTFOLIO_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLED_COUNT,
      skipVersionCheck: true,
    },
  );
  worker.on('error', (err) => log.warn({ err: err.message }, 'portfolio worker error'));
  worker.on('failed', (job, err) =>
    log.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'portfolio job failed'),
  );
  await worker.waitUntilReady();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await worker.close();
      await queue.close();
      await Promise.allSettled(connections.map((redis) => redis.quit()));
    })());
  return { worker, close };
}
