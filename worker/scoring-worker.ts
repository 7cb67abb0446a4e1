import { Worker, type Job } from 'bullmq';
import { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../shared/config.js';
import { assertServedModelMatchesKeys } from '../shared/key-encoding.js';
import { KeySpace } from '../shared/keys.js';
import { JobSeal } from '../shared/job-seal.js';
import { readModelManifest } from '../shared/model-manifest.js';
import { PublicIds } from '../shared/public-id.js';
import {
  SCORE_QUEUE,
  queueShardPrefixes,
  type ScoreJobData,
  type ScoreJobResult,
  type ScoreReply,
} from '../shared/queues.js';
import { createRedis } from '../shared/redis.js';
import { assertQueueRedisKeepsKeys } from '../shared/redis-policy.js';
import { ScoreCache } from '../shared/score-cache.js';
import { deriveKey, serviceSecret } from '../shared/secrets.js';
import { CreditModel, type ScoringModel } from './credit-model.js';
import { ReplyPublisher } from './reply-publisher.js';
import { createScoreProcessor } from './score-processor.js';
import { WorkerMetrics } from './worker-metrics.js';

/** A job whose worker died this many times is failed rather than retried forever. */
const MAX_STALLED_COUNT = 3;

export interface ScoringWorker {
  /** Shard 0's BullMQ Worker: the only one unless QUEUE_SHARDS > 1. */
  worker: Worker<ScoreJobData, ScoreJobResult>;
  /** One BullMQ Worker per queue shard, in shard order. */
  workers: Worker<ScoreJobData, ScoreJobResult>[];
  model: ScoringModel;
  metrics: WorkerMetrics;
  /** Lets the jobs in hand finish, then closes the connections; safe to call twice. */
  close: () => Promise<void>;
}

/**
 * Loads the model from the manifest; throws StartupError when the file is missing or altered, or
 * when the manifest encodes applicants otherwise than this build keys the cache by.
 */
export async function loadModel(config: Config): Promise<ScoringModel> {
  const manifest = readModelManifest(config.MODEL_MANIFEST_PATH);
  assertServedModelMatchesKeys(manifest, config.MODEL_MANIFEST_PATH);
  return CreditModel.load(config.MODEL_MANIFEST_PATH, manifest);
}

/**
 * Starts consuming every shard of the score queue with a model: one BullMQ Worker per shard, on one
 * connection, each taking ceil(WORKER_CONCURRENCY / QUEUE_SHARDS) jobs at once, so a process holds
 * about as many jobs (and lock renewals) as unsharded. main.ts adds signals; tests use the same wiring
 * (and may pass a model of their own, e.g. a slow one). Refuses an evicting queue Redis.
 */
export async function startScoringWorker(
  config: Config,
  log: Logger,
  model: ScoringModel,
  metrics = new WorkerMetrics(),
): Promise<ScoringWorker> {
  // Before any connection: in production without SERVICE_SECRET the worker refuses to start.
  const secret = serviceSecret(config, log);
  const queueRedis = createRedis(config.QUEUE_REDIS_URL, 'blocking', 'scoring-worker');
  const cacheIsSeparate = config.CACHE_REDIS_URL !== config.QUEUE_REDIS_URL;
  const cacheRedis = createRedis(config.CACHE_REDIS_URL, 'writer', 'scoring-worker-cache');
  const connections = [queueRedis, cacheRedis];
  for (const redis of connections) redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const quitAll = () => Promise.allSettled(connections.map((redis) => redis.quit()));

  try {
    await assertQueueRedisKeepsKeys(queueRedis, config.QUEUE_REDIS_URL, cacheIsSeparate);
  } catch (error) {
    await quitAll();
    throw error;
  }

  const cache = new ScoreCache(cacheRedis, {
    ttlS: config.CACHE_TTL_SECONDS,
    jitterS: config.CACHE_TTL_JITTER_SECONDS,
  });
  const seal = new JobSeal(deriveKey(secret, 'job-seal'));
  const keys = KeySpace.of(config);
  // Replies are queue traffic; on one plain Redis they share the cache writes' connection, so a job's
  // writes and its reply leave together (a cluster would not keep their order across nodes).
  const replyBehindWrites = !cacheIsSeparate && !(cacheRedis instanceof Cluster);
  const replies = new ReplyPublisher(replyBehindWrites ? cacheRedis : queueRedis, keys);
  const reply = (job: Job<ScoreJobData, ScoreJobResult>, message: ScoreReply) =>
    void replies
      .publish(job.id!, job.data.replyTo, message)
      .catch((err: Error) => log.warn({ jobId: job.id, err: err.message }, 'reply not published'));
  const processor = createScoreProcessor({
    model,
    seal,
    ids: new PublicIds(deriveKey(secret, 'public-id')),
    cache,
    keys,
    jobTimeoutMs: config.JOB_TIMEOUT_MS,
    reply: (job, results) => reply(job, { jobId: job.id!, results }),
    replyBehindWrites,
    metrics,
    log,
  });
  const concurrency = Math.ceil(config.WORKER_CONCURRENCY / config.QUEUE_SHARDS);
  const workers = queueShardPrefixes(config.QUEUE_PREFIX, config.QUEUE_SHARDS).map(
    (prefix) =>
      new Worker<ScoreJobData, ScoreJobResult>(SCORE_QUEUE, processor, {
        connection: queueRedis,
        prefix,
        concurrency,
        lockDuration: config.WORKER_LOCK_MS,
        stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
        maxStalledCount: MAX_STALLED_COUNT,
      }),
  );
  // A completed job replied from the processor, once its answers were stored; a failure replies once
  // BullMQ has moved the job to its final state (this event follows that move).
  for (const worker of workers) {
    worker.on('error', (err) => log.warn({ err: err.message }, 'worker error'));
    worker.on('completed', () => metrics.jobsProcessed.inc({ outcome: 'completed' }));
    worker.on('failed', (job, err) => {
      metrics.jobsProcessed.inc({ outcome: 'failed' });
      // finishedOn is set only when no retry is left: an attempt that will be retried is not an outcome.
      if (job?.finishedOn) reply(job, { jobId: job.id!, failed: err.message });
      log.warn(
        { jobId: job?.id, reqIds: job?.data.requestIds, attempt: job?.attemptsMade, err: err.message },
        'job failed',
      );
    });
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  log.info({ modelVersion: model.version, concurrency, shards: workers.length }, 'worker ready');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await Promise.all(workers.map((worker) => worker.close()));
      await quitAll();
    })());
  return { worker: workers[0]!, workers, model, metrics, close };
}
