import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Applicant } from '../../shared/applicant.js';
import { loadConfig } from '../../shared/config.js';
import { applicantCode, KeySpace } from '../../shared/keys.js';
import { PublicIds } from '../../shared/public-id.js';
import { SCORE_QUEUE } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import { ScoreCache } from '../../shared/score-cache.js';
import { deriveKey } from '../../shared/secrets.js';
import { ServiceProcess, waitForHttp, waitForOutput } from './processes.js';
import { deleteKeysUnder, freePort, keysUnder, testNamespace } from './redis.js';
import { waitUntil } from './wait.js';

/**
 * A worker process wired as dist/worker/main.js wires it (startScoringWorker, SIGTERM drain), whose
 * model is slow or hangs after its first runs. ServiceProcess runs `dist/<script>`, hence the `..`.
 */
const SLOW_MODEL_WORKER = '../test/faults/fixtures/slow-model-worker.mjs';

/**
 * The built gateway and worker processes (dist/) of one test, on a namespace of their own in one
 * Redis, plus a queue handle and a Redis client for the test's own reads. `stop` kills whatever is
 * still running and removes the namespace's keys.
 */
export class ServiceFleet {
  readonly namespace = testNamespace();
  readonly processes: ServiceProcess[] = [];
  /** Reads of the test; on the cache's Redis unless `cacheRedisUrl` says otherwise. */
  readonly redis: Redis;
  /** Job counts by state only: what a job carries is the service's business, not the test's. */
  readonly queue: Queue;

  constructor(
    readonly redisUrl: string,
    private readonly env: Record<string, string> = {},
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', () => undefined);
    this.queue = new Queue(SCORE_QUEUE, { connection: this.redis, prefix: this.namespace.queuePrefix });
    this.queue.on('error', () => undefined);
  }

  /** The fleet's Redis names, as its processes derive them from their environment. */
  get keys(): KeySpace {
    return KeySpace.of(loadConfig(this.envFor()));
  }

  /** The secret the fleet's processes share unless a test sets its own. */
  static readonly SERVICE_SECRET = 'service-fleet-test-secret-0123456789abcdef';

  /** The public id (also the cache key's last part) of `applicant` under `modelVersion`, as the fleet names it. */
  publicId(applicant: Applicant, modelVersion: string): string {
    const secret = this.envFor().SERVICE_SECRET!;
    return new PublicIds(deriveKey(secret, 'public-id')).forApplicant(modelVersion, applicantCode(applicant));
  }

  /** The environment both processes get: Redis, namespace, the fleet's settings, then `extra`. */
  envFor(extra: Record<string, string> = {}): Record<string, string> {
    return {
      SERVICE_SECRET: ServiceFleet.SERVICE_SECRET,
      REDIS_URL: this.redisUrl,
      CACHE_PREFIX: this.namespace.cachePrefix,
      QUEUE_PREFIX: this.namespace.queuePrefix,
      ...this.env,
      ...extra,
    };
  }

  /** Starts `node dist/api/main.js` on a free port and waits until /healthz answers. */
  async startGateway(extra: Record<string, string> = {}): Promise<{ api: ServiceProcess; base: string }> {
    const port = await freePort();
    const api = ServiceProcess.start('api/main.js', this.envFor({ PORT: String(port), ...extra }));
    this.processes.push(api);
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`);
    return { api, base };
  }

  /** Starts `node dist/worker/main.js` and waits for its "worker ready" line (model loaded, queue joined). */
  async startWorker(extra: Record<string, string> = {}): Promise<ServiceProcess> {
    return this.startReady('worker/main.js', extra);
  }

  /**
   * Starts a worker process whose model answers its first `fastRuns` runs at once and then takes
   * `slowMs` longer per run, or never returns ('hang'): once one of its jobs has completed and
   * others are active, a signal lands while it holds jobs whose answers are not written yet.
   */
  async startSlowWorker(
    fastRuns: number,
    slowMs: number | 'hang',
    extra: Record<string, string> = {},
  ): Promise<ServiceProcess> {
    return this.startReady(SLOW_MODEL_WORKER, {
      FAST_MODEL_RUNS: String(fastRuns),
      SLOW_MODEL_MS: String(slowMs),
      ...extra,
    });
  }

  /** Resolves once at least one job has completed while others are still active (the worker holds them). */
  async untilJobsInHand(): Promise<void> {
    const inHand = async () => {
      const { completed, active } = await this.queue.getJobCounts('completed', 'active');
      return (completed ?? 0) > 0 && (active ?? 0) > 0;
    };
    await waitUntil('a completed job and others active', inHand, { timeoutMs: 30_000 });
  }

  /** Resolves once no job is waiting, delayed or active. */
  async untilQueueIdle(timeoutMs = 10_000): Promise<void> {
    const idle = async () => {
      const counts = await this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
      return Object.values(counts).every((n) => n === 0);
    };
    await waitUntil('the queue to be idle', idle, { timeoutMs });
  }

  /** The cached answers of `applicants` under `modelVersion`, in order (undefined where none). */
  cachedAnswers(applicants: readonly Applicant[], modelVersion: string): Promise<Array<Score | undefined>> {
    const cache = new ScoreCache(this.redis, { ttlS: 1, jitterS: 0 });
    return cache.readMany(applicants.map((a) => this.keys.score(modelVersion, this.publicId(a, modelVersion))));
  }

  /** How many answers are cached under `modelVersion` (score entries only, not batch records or claims). */
  async cachedCount(modelVersion: string): Promise<number> {
    const prefix = this.keys.score(modelVersion, '');
    return (await keysUnder(this.redis, prefix)).length;
  }

  /** Kills every process still running (SIGKILL: cleanup, not a test of shutdown) and removes the keys. */
  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop('SIGKILL')));
    await this.queue.close();
    if (this.redis.status === 'ready') {
      await deleteKeysUnder(this.redis, `${this.namespace.cachePrefix}:`);
      await deleteKeysUnder(this.redis, this.namespace.queuePrefix);
    }
    this.redis.disconnect();
  }

  private async startReady(script: string, extra: Record<string, string>): Promise<ServiceProcess> {
    const worker = ServiceProcess.start(script, this.envFor(extra));
    this.processes.push(worker);
    await waitForOutput(worker, /worker ready/);
    return worker;
  }
}
