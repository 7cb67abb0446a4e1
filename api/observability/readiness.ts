import type { RedisClient } from '../../shared/redis.js';
import type { ScoreQueues } from '../scoring/score-queues.js';
import { within } from './deadline.js';

export type Readiness = { ready: true; workers: number } | { ready: false; reason: string };

const CHECK_TIMEOUT_MS = 1000;
/** How long one verdict stands: probes and load balancers poll often, and CLIENT LIST costs Redis O(clients). */
const VERDICT_MAX_AGE_MS = 1000;

/**
 * Ready means a request can be answered end to end: every Redis answers PING and at least one worker
 * is connected to every queue shard (BullMQ names worker connections, so CLIENT LIST finds them);
 * `workers` counts those of the least-served shard.
 */
export async function checkReadiness(
  redises: readonly RedisClient[],
  queues: Pick<ScoreQueues, 'getWorkersCount'>,
): Promise<Readiness> {
  try {
    await within(Promise.all(redises.map((redis) => redis.ping())), CHECK_TIMEOUT_MS, 'Redis');
    const workers = await within(queues.getWorkersCount(), CHECK_TIMEOUT_MS, 'the queue');
    return workers > 0 ? { ready: true, workers } : { ready: false, reason: 'no worker is connected to the queue' };
  } catch (error) {
    return { ready: false, reason: `Redis is unreachable: ${(error as Error).message}` };
  }
}

/**
 * `check`, run at most once per `maxAgeMs`: calls within that time (and calls while a check is under
 * way) share its verdict, so any number of callers cost Redis one check a second.
 */
export function cachedReadiness(
  check: () => Promise<Readiness>,
  maxAgeMs = VERDICT_MAX_AGE_MS,
): () => Promise<Readiness> {
  let last: { at: number; verdict: Promise<Readiness> } | undefined;
  return () => {
    const now = performance.now();
    if (!last || now - last.at >= maxAgeMs) last = { at: now, verdict: check() };
    return last.verdict;
  };
}
