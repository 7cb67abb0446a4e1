import type { RedisClient } from '../../shared/redis.js';
import type { ScoreQueue } from '../scoring/scorer.js';

export type Readiness = { ready: true; workers: number } | { ready: false; reason: string };

const CHECK_TIMEOUT_MS = 1000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer`)), CHECK_TIMEOUT_MS)),
  ]);
}

/**
 * Ready means a request can be answered end to end: every Redis answers PING and at least one worker
 * is connected to the queue (BullMQ names worker connections, so CLIENT LIST finds them).
 */
export async function checkReadiness(redises: readonly RedisClient[], queue: ScoreQueue): Promise<Readiness> {
  try {
    await within(Promise.all(redises.map((redis) => redis.ping())), 'Redis');
    const workers = await within(queue.getWorkersCount(), 'the queue');
    return workers > 0 ? { ready: true, workers } : { ready: false, reason: 'no worker is connected to the queue' };
  } catch (error) {
    return { ready: false, reason: `Redis is unreachable: ${(error as Error).message}` };
  }
}
