import type { RequestListener } from 'node:http';
import { dirname } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { adminCredentials } from '../shared/admin-auth.js';
import type { Config } from '../shared/config.js';
import { assertServedModelMatchesKeys } from '../shared/key-encoding.js';
import { JobSeal } from '../shared/job-seal.js';
import { readModelManifest } from '../shared/model-manifest.js';
import { PublicIds } from '../shared/public-id.js';
import { SCORE_QUEUE, scoreJobOptions, type ScoreJobData, type ScoreJobResult } from '../shared/queues.js';
import { createRedis, untilReady } from '../shared/redis.js';
import { assertQueueRedisKeepsKeys, assertQueueRedisVersion } from '../shared/redis-policy.js';
import { deriveKey, serviceSecret } from '../shared/secrets.js';
import { ScoreCache } from '../shared/score-cache.js';
import { createApp } from './app.js';
import { BatchStore } from './jobs/batch-store.js';
import { buildPortfolios } from './portfolios/portfolio-wiring.js';
import { JobTracker } from './jobs/job-tracker.js';
import { GatewayMetrics } from './observability/gateway-metrics.js';
import { checkReadiness } from './observability/readiness.js';
import { AnswerWaiter } from './scoring/answer-waiter.js';
import { ClaimStore } from './scoring/claims.js';
import { ClientBudget } from './scoring/client-budget.js';
import { MissResolver } from './scoring/miss-resolver.js';
import { QueueDepthGuard } from './scoring/queue-depth.js';
import { Scorer, type ScoreQueue } from './scoring/scorer.js';

export interface Gateway {
  /** What the HTTP server listens with. */
  listener: RequestListener;
  app: Express;
  queue: ScoreQueue;
  metrics: GatewayMetrics;
  modelVersion: string;
  /**
   * Resolves once the connections answer (until then requests get 503); rejects with StartupError
   * when the queue's Redis may evict keys.
   */
  whenReady: () => Promise<void>;
  /** Shutdown's first step: every waiting request answers 202 with its job to poll, at once. */
  releaseWaits: () => void;
  /** Sends on the misses still gathered, then closes the queue, its event stream and the Redis connections; safe to call twice. */
  close: () => Promise<void>;
}

/**
 * Wires the gateway from config: connections, queue, the one QueueEvents subscription, the scorer
 * and the app. main.ts adds the socket and signals; integration tests use the same wiring.
 * Throws StartupError when the manifest is unreadable or encodes applicants otherwise than the build.
 */
export function buildGateway(config: Config, log: Logger): Gateway {
  // The gateway needs the model's version (part of every key) and its encoding (checked against the
  // one keys are derived by); it never loads the model.
  const manifest = readModelManifest(config.MODEL_MANIFEST_PATH);
  assertServedModelMatchesKeys(manifest, config.MODEL_MANIFEST_PATH);
  const modelVersion = manifest.version;
  const secret = serviceSecret(config, log);
  const ids = new PublicIds(deriveKey(secret, 'public-id'));
  const seal = new JobSeal(deriveKey(secret, 'job-seal'));

  const cacheIsSeparate = config.CACHE_REDIS_URL !== config.QUEUE_REDIS_URL;
  const queueRedis = createRedis(config.QUEUE_REDIS_URL, 'queue', 'scoring-api-queue');
  const cacheRedis = createRedis(config.CACHE_REDIS_URL, 'request', 'scoring-api-cache');
  // Claims, batch records and rate-limit counters: queue bookkeeping, on the queue's Redis.
  const bookkeepingRedis = cacheIsSeparate
    ? createRedis(config.QUEUE_REDIS_URL, 'request', 'scoring-api-bookkeeping')
    : cacheRedis;
  const eventsRedis = createRedis(config.QUEUE_REDIS_URL, 'blocking', 'scoring-api-events');
  const connections = [...new Set([queueRedis, cacheRedis, bookkeepingRedis, eventsRedis])];
  const queue: ScoreQueue = new Queue<ScoreJobData, ScoreJobResult>(SCORE_QUEUE, {
    connection: queueRedis,
    prefix: config.QUEUE_PREFIX,
    skipVersionCheck: true,
    defaultJobOptions: scoreJobOptions({
      attempts: config.JOB_ATTEMPTS,
      backoffMs: config.JOB_BACKOFF_MS,
      retentionS: config.JOB_RETENTION_SECONDS,
    }),
  });
  const events = new QueueEvents(SCORE_QUEUE, {
    connection: eventsRedis,
    prefix: config.QUEUE_PREFIX,
    skipVersionCheck: true,
  });
  const warn = (source: string) => (err: Error) => log.warn({ err: err.message, source }, 'connection error');
  for (const redis of connections) redis.on('error', warn('redis'));
  queue.on('error', warn('queue'));
  events.on('error', warn('queue-events'));

  const metrics = new GatewayMetrics(queue);
  const cache = new ScoreCache(cacheRedis, {
    ttlS: config.CACHE_TTL_SECONDS,
    jitterS: config.CACHE_TTL_JITTER_SECONDS,
  });
  // Batch records are not a cache: they live with the queue, on the Redis that never evicts.
  const batches = new BatchStore(bookkeepingRedis, config.CACHE_PREFIX, config.JOB_RETENTION_SECONDS, () =>
    ids.newBatchId(),
  );
  // Claims are queue bookkeeping: like batch records, on the Redis that never evicts.
  const claims = new ClaimStore(bookkeepingRedis, config.JOB_RETENTION_SECONDS * 1000);
  const jobItems = async (jobId: string) => {
    const job = await queue.getJob(jobId);
    return job ? seal.unseal(job.data.sealed).map((item) => item.id) : [];
  };
  const waiter = new AnswerWaiter(events, jobItems, (jobId) => misses.jobSettled(jobId));
  const misses = new MissResolver({
    cache,
    queue,
    claims,
    waiter,
    depthGuard: new QueueDepthGuard(queue, config.MAX_QUEUE_DEPTH),
    seal,
    batching: { waitMs: config.MISS_BATCH_WAIT_MS, maxItems: config.MISS_BATCH_MAX },
    metrics,
  });
  // Counters on the Redis that never evicts: an evicted counter would let a client past its limit.
  const missLimit = new ClientBudget(bookkeepingRedis, {
    limit: config.RATE_LIMIT_MISSES,
    windowS: config.RATE_LIMIT_WINDOW_SECONDS,
    prefix: `${config.CACHE_PREFIX}:rl:miss:`,
    units: 'uncached applicants',
  });
  const writeLimit = new ClientBudget(bookkeepingRedis, {
    limit: config.RATE_LIMIT_WRITES,
    windowS: config.RATE_LIMIT_WINDOW_SECONDS,
    prefix: `${config.CACHE_PREFIX}:rl:write:`,
    units: 'units of batch records and polls',
  });
  const scorer = new Scorer({
    cache,
    misses,
    missLimit,
    writeLimit,
    batches,
    ids,
    cachePrefix: config.CACHE_PREFIX,
    modelVersion,
  });
  const tracker = new JobTracker({
    cache,
    queue,
    batches,
    claims,
    budget: writeLimit,
    ids,
    cachePrefix: config.CACHE_PREFIX,
  });

  const portfolios = buildPortfolios(config, { queueRedis, bookkeeping: bookkeepingRedis, ids, writeLimit, secret });

  const credentials = adminCredentials(config);
  if (credentials.generated) log.warn('no ADMIN_PASSWORD set: Bull Board and /metrics stay locked until one is');
  const { app, listener } = createApp({
    scorer,
    tracker,
    queue,
    portfolios,
    metrics,
    readiness: () => checkReadiness([queueRedis, cacheRedis], queue),
    credentials,
    config: { ...config, modelDir: dirname(config.MODEL_MANIFEST_PATH) },
    log,
  });

  const whenReady = async () => {
    await Promise.all([
      queue.waitUntilReady(),
      events.waitUntilReady(),
      untilReady(cacheRedis),
      untilReady(bookkeepingRedis),
    ]);
    await assertQueueRedisKeepsKeys(queueRedis, config.QUEUE_REDIS_URL, cacheIsSeparate);
    // BullMQ's own version check is off (it would print its eviction warning beside ours): check here.
    await assertQueueRedisVersion(queueRedis, config.QUEUE_REDIS_URL);
  };
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await misses.drain();
      await events.close();
      await portfolios.close();
      await queue.close();
      await Promise.allSettled(connections.map((redis) => redis.quit()));
    })());
  const releaseWaits = () => waiter.releaseAll();
  return { app, listener, queue, metrics, modelVersion, whenReady, releaseWaits, close };
}
