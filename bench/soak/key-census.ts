import { QueueKeys } from 'bullmq';
import { loadConfig } from '../../shared/config.js';
import { KeySpace } from '../../shared/keys.js';
import { PORTFOLIO_QUEUE } from '../../shared/portfolios.js';
import { SCORE_QUEUE } from '../../shared/queues.js';
import type { BenchRedis, Namespace } from '../bench-redis.js';

/** The soak's keys by kind; `other` is anything the service is not known to write (its bound is 0). */
export interface KeyCounts {
  /** Cached answers, one hash per applicant. */
  answers: number;
  /** Claims of applicants by the job scoring them (they live JOB_RETENTION_SECONDS). */
  claims: number;
  /** Records of asynchronous batches (JOB_RETENTION_SECONDS). */
  batchRecords: number;
  /** Gateways that coalesced onto another gateway's job, to be told its outcome (JOB_RETENTION_SECONDS at most). */
  replyRoutes: number;
  /** BullMQ job hashes and their locks. */
  jobs: number;
  /** BullMQ's fixed keys of the queue: wait, active, completed, events, meta, ... */
  queue: number;
  other: number;
  total: number;
}

export type KeyKind = Exclude<keyof KeyCounts, 'total'>;

export function totalOf(counts: Omit<KeyCounts, 'total'>): KeyCounts {
  const { answers, claims, batchRecords, replyRoutes, jobs, queue, other } = counts;
  return { ...counts, total: answers + claims + batchRecords + replyRoutes + jobs + queue + other };
}

/**
 * Counts the keys of one namespace with SCAN MATCH (never KEYS: the Redis is shared), sorted by
 * the names shared/keys.ts and BullMQ give them. SCAN is no snapshot: a key written or removed
 * while it runs may or may not be counted.
 */
export class KeyCensus {
  private readonly queueKeys: ReadonlySet<string>;
  /** How many fixed keys BullMQ may create for one queue. */
  readonly queueKeyNames: number;

  constructor(
    private readonly redis: BenchRedis,
    private readonly namespace: Namespace,
    private readonly modelVersion: string,
  ) {
    // BullMQ's fixed keys of every queue the processes open: the score queue and the (idle) portfolio queue.
    const queueKeys = new QueueKeys(namespace.queuePrefix);
    this.queueKeys = new Set(
      [SCORE_QUEUE, PORTFOLIO_QUEUE].flatMap((queue) => Object.values(queueKeys.getKeys(queue))),
    );
    this.queueKeyNames = this.queueKeys.size;
  }

  async count(): Promise<KeyCounts> {
    const { cachePrefix, queuePrefix } = this.namespace;
    const keySpace = KeySpace.of(loadConfig({ CACHE_PREFIX: cachePrefix, QUEUE_PREFIX: queuePrefix }));
    const [answerKeys, bookkeepingKeys, queueKeys] = await Promise.all([
      this.redis.keysMatching(`${cachePrefix}:*`),
      this.redis.keysMatching(`${keySpace.bookkeepingPrefix}:*`),
      this.redis.keysMatching(`${queuePrefix}:*`),
    ]);
    // The bookkeeping prefix may lie under the cache prefix (a bench namespace's does): count each key once.
    const cacheKeys = [...new Set([...answerKeys, ...bookkeepingKeys])];
    const claims = keySpace.claim(this.modelVersion, '');
    const batches = keySpace.batch('');
    const replyRoutes = keySpace.replyRoutes('');
    const answers = keySpace.score(this.modelVersion, '');
    const jobs = `${queuePrefix}:${SCORE_QUEUE}:`;
    const counts = { answers: 0, claims: 0, batchRecords: 0, replyRoutes: 0, jobs: 0, queue: 0, other: 0 };
    for (const key of cacheKeys) {
      if (key.startsWith(claims)) counts.claims += 1;
      else if (key.startsWith(batches)) counts.batchRecords += 1;
      else if (key.startsWith(replyRoutes)) counts.replyRoutes += 1;
      else if (key.startsWith(answers)) counts.answers += 1;
      else counts.other += 1;
    }
    for (const key of queueKeys) {
      if (this.queueKeys.has(key)) counts.queue += 1;
      else if (key.startsWith(jobs)) counts.jobs += 1;
      else counts.other += 1;
    }
    return totalOf(counts);
  }
}
