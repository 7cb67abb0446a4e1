import type { RequestListener } from 'node:http';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { adminCredentials } from '../shared/admin-auth.js';
import type { Config } from '../shared/config.js';
import { assertServedModelMatchesKeys } from '../shared/key-encoding.js';
import { JobSeal } from '../shared/job-seal.js';
import { KeySpace } from '../shared/keys.js';
import { readModelManifest } from '../shared/model-manifest.js';
import { PublicIds } from '../shared/public-id.js';
import type { ScoreQueue } from '../shared/queues.js';
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
import { ClaimStore } from './scoring/claims.js';
import { ClientBudget } from './scoring/client-budget.js';
import { MissPath, type MissPathSeams } from './scoring/miss-path.js';
import { QueueDepthGuard } from './scoring/queue-depth.js';
import { ReplyChannel } from './scoring/reply-channel.js';
import { Scorer } from './scoring/scorer.js';
import { ScoreQueues } from './scoring/score-queues.js';

export interface Gateway {
  /** What the HTTP server listens with. */
  listener: RequestListener;
  app: Express;
  /** Every queue shard (Config.QUEUE_SHARDS). */
  queues: ScoreQueues;
  /** Shard 0: the only queue unless QUEUE_SHARDS > 1. */
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
  /** Sends on the misses still gathered, then closes the queue and the Redis connections (the reply subscription with them); safe to call twice. */
  close: () => Promise<void>;
}

/**
 * Wires the gateway from config: connections, queue, its own reply channel, the scorer
 * and the app. main.ts adds the socket and signals; integration tests use the same wiring.
 * Throws StartupError when the manifest is unreadable or encodes applicants otherwise than the build.
 */
export function buildGateway(config: Config, log: Logger, seams: MissPathSeams = {}): Gateway {
  // The gateway needs the model's version (part of every key) and its encoding (checked against the
  // one keys are derived by); it never loads the model.
  const manifest = readModelManifest(config.MODEL_MANIFEST_PATH);
  assertServedModelMatchesKeys(manifest, config.MODEL_MANIFEST_PATH);
  const modelVersion = manifest.version;
  const secret = serviceSecret(config, log);
  const ids = new PublicIds(deriveKey(secret, 'public-id'));
  const seal = new JobSeal(deriveKey(secret, 'job-seal'));
  const keys = KeySpace.of(config);

  const cacheIsSeparate = config.CACHE_REDIS_URL !== config.QUEUE_REDIS_URL;
  const queueRedis = createRedis(config.QUEUE_REDIS_URL, 'queue', 'scoring-api-queue');
  const cacheRedis = createRedis(config.CACHE_REDIS_URL, 'request', 'scoring-api-cache');
  // Claims, batch records and rate-limit counters: queue bookkeeping, on the queue's Redis.
  const bookkeepingRedis = cacheIsSeparate
    ? createRedis(config.QUEUE_REDIS_URL, 'request', 'scoring-api-bookkeeping')
    : cacheRedis;
  // Subscribed to this process's reply channel alone; retries forever like BullMQ's blocking connections.
  const repliesRedis = createRedis(config.QUEUE_REDIS_URL, 'blocking', 'scoring-api-replies');
  const connections = [...new Set([queueRedis, cacheRedis, bookkeepingRedis, repliesRedis])];
  const queues = ScoreQueues.open(config, queueRedis);
  const warn = (source: string) => (err: Error) => log.warn({ err: err.message, source }, 'connection error');
  for (const redis of connections) redis.on('error', warn('redis'));
  queues.on('error', warn('queue'));

  const metrics = new GatewayMetrics(queues);
  const cache = new ScoreCache(cacheRedis, {
    ttlS: config.CACHE_TTL_SECONDS,
    jitterS: config.CACHE_TTL_JITTER_SECONDS,
  });
  // Batch records are not a cache: they live with the queue, on the Redis that never evicts.
  const batches = new BatchStore(bookkeepingRedis, keys, config.JOB_RETENTION_SECONDS, () => ids.newBatchId());
  // Claims are queue bookkeeping: like batch records, on the Redis that never evicts.
  const claims = new ClaimStore(bookkeepingRedis, config.JOB_RETENTION_SECONDS * 1000);
  const misses = new MissPath({
    cache,
    queues,
    replies: new ReplyChannel(repliesRedis, bookkeepingRedis, keys, randomUUID(), config.JOB_RETENTION_SECONDS * 1000),
    claims,
    depthGuard: new QueueDepthGuard(queues, config.MAX_QUEUE_DEPTH),
    seal,
    batching: { waitMs: config.MISS_BATCH_WAIT_MS, maxItems: config.MISS_BATCH_MAX },
    metrics,
    seams,
  });
  // Counters on the Redis that never evicts: an evicted counter would let a client past its limit.
  const missLimit = new ClientBudget(bookkeepingRedis, {
    limit: config.RATE_LIMIT_MISSES,
    windowS: config.RATE_LIMIT_WINDOW_SECONDS,
    counterKey: (client) => keys.rateLimit('miss', client),
    units: 'uncached applicants',
  });
  const writeLimit = new ClientBudget(bookkeepingRedis, {
    limit: config.RATE_LIMIT_WRITES,
    windowS: config.RATE_LIMIT_WINDOW_SECONDS,
    counterKey: (client) => keys.rateLimit('write', client),
    units: 'units of batch records and polls',
  });
  const scorer = new Scorer({
    cache,
    misses,
    missLimit,
    writeLimit,
    batches,
    ids,
    keys,
    modelVersion,
  });
  const tracker = new JobTracker({
    cache,
    queues,
    batches,
    claims,
    budget: writeLimit,
    ids,
    keys,
  });

  const portfolios = buildPortfolios(config, { queueRedis, bookkeeping: bookkeepingRedis, ids, writeLimit, secret });

  const credentials = adminCredentials(config);
  if (credentials.generated) log.warn('no ADMIN_PASSWORD set: Bull Board and /metrics stay locked until one is');
  const { app, listener } = createApp({
    scorer,
    tracker,
    queues: queues.shards,
    portfolios,
    metrics,
    readiness: () => checkReadiness([queueRedis, cacheRedis], queues),
    credentials,
    config: { ...config, modelDir: dirname(config.MODEL_MANIFEST_PATH) },
    log,
  });

  const whenReady = async () => {
    await Promise.all([queues.waitUntilReady(), misses.listen(), untilReady(cacheRedis), untilReady(bookkeepingRedis)]);
    await assertQueueRedisKeepsKeys(queueRedis, config.QUEUE_REDIS_URL, cacheIsSeparate);
    // BullMQ's own version check is off (it would print its eviction warning beside ours): check here.
    await assertQueueRedisVersion(queueRedis, config.QUEUE_REDIS_URL);
  };
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await misses.drain();
      await portfolios.close();
      await queues.close();
      await Promise.allSettled(connections.map((redis) => redis.quit()));
    })());
  const releaseWaits = () => misses.releaseWaits();
  return { app, listener, queues, queue: queues.at(0), metrics, modelVersion, whenReady, releaseWaits, close };
}
