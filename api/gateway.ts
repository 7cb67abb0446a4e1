import { Queue, QueueEvents } from 'bullmq';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../shared/config.js';
import { readModelManifest } from '../shared/model-manifest.js';
import { SCORE_QUEUE, scoreJobOptions, type ScoreJobData, type ScoreJobResult } from '../shared/queues.js';
import { createRedis } from '../shared/redis.js';
import { ScoreCache } from '../shared/score-cache.js';
import { createApp } from './app.js';
import { BatchStore } from './jobs/batch-store.js';
import { JobTracker } from './jobs/job-tracker.js';
import { JobWaiter } from './scoring/job-waiter.js';
import { MissResolver } from './scoring/miss-resolver.js';
import { QueueDepthGuard } from './scoring/queue-depth.js';
import { Scorer, type ScoreQueue } from './scoring/scorer.js';

export interface Gateway {
  app: Express;
  queue: ScoreQueue;
  modelVersion: string;
  /** Resolves once the connections answer; until then requests get 503. */
  whenReady: () => Promise<void>;
  /** Closes the queue, its event stream and both Redis connections; safe to call twice. */
  close: () => Promise<void>;
}

/**
 * Wires the gateway from config: connections, queue, the one QueueEvents subscription, the scorer
 * and the app. main.ts adds the socket and signals; integration tests use the same wiring.
 */
export function buildGateway(config: Config, log: Logger): Gateway {
  // The gateway only needs the model's version (it is part of every key); it never loads the model.
  const { version: modelVersion } = readModelManifest(config.MODEL_MANIFEST_PATH);

  const redis = createRedis(config.REDIS_URL, 'request', 'scoring-api');
  const eventsRedis = createRedis(config.REDIS_URL, 'blocking', 'scoring-api-events');
  const queue: ScoreQueue = new Queue<ScoreJobData, ScoreJobResult>(SCORE_QUEUE, {
    connection: redis,
    prefix: config.QUEUE_PREFIX,
    defaultJobOptions: scoreJobOptions({
      attempts: config.JOB_ATTEMPTS,
      backoffMs: config.JOB_BACKOFF_MS,
      retentionS: config.JOB_RETENTION_SECONDS,
    }),
  });
  const events = new QueueEvents(SCORE_QUEUE, { connection: eventsRedis, prefix: config.QUEUE_PREFIX });
  const warn = (source: string) => (err: Error) => log.warn({ err: err.message, source }, 'connection error');
  redis.on('error', warn('redis'));
  eventsRedis.on('error', warn('redis-events'));
  queue.on('error', warn('queue'));
  events.on('error', warn('queue-events'));

  const cache = new ScoreCache(redis, { ttlS: config.CACHE_TTL_SECONDS, jitterS: config.CACHE_TTL_JITTER_SECONDS });
  const batches = new BatchStore(redis, config.CACHE_PREFIX, config.JOB_RETENTION_SECONDS);
  const misses = new MissResolver({
    cache,
    queue,
    waiter: new JobWaiter(events),
    depthGuard: new QueueDepthGuard(queue, config.MAX_QUEUE_DEPTH),
  });
  const scorer = new Scorer({ cache, misses, batches, cachePrefix: config.CACHE_PREFIX, modelVersion });
  const tracker = new JobTracker({ cache, queue, batches, cachePrefix: config.CACHE_PREFIX });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await events.close();
      await queue.close();
      await Promise.allSettled([eventsRedis.quit(), redis.quit()]);
    })());
  const whenReady = async () => {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  };
  return { app: createApp({ scorer, tracker, config, log }), queue, modelVersion, whenReady, close };
}
