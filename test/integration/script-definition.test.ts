import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ClaimStore } from '../../api/scoring/claims.js';
import { ClientBudget } from '../../api/scoring/client-budget.js';
import type { Score } from '../../shared/score.js';
import { ScoreCache } from '../../shared/score-cache.js';
import { REDIS_URL, deleteKeysUnder, testNamespace } from '../support/redis.js';

/**
 * ioredis builds an auto-pipeline from the commands issued in one tick. A script command defined on
 * the connection after that pipeline was opened is missing from it, and ioredis then throws a
 * TypeError from a nextTick callback (redis/ioredis#1931): an uncaught exception that ends the
 * gateway. Seen in the suite as "results[i] is not iterable". Each store must define its scripts
 * before its first call, so a first call in a busy tick is just another pipelined command.
 */
const ANSWER: Score = {
  decision: 'DECLINE',
  probability: 0.5,
  risk_category: 'HIGH',
  model_version: '79144bd9',
  reasons: [],
  expected_cost: { accept: 2.5, decline: 0.5 },
};

describe('script commands on an auto-pipelined connection', () => {
  const { cachePrefix } = testNamespace();
  const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });
  const key = (name: string) => `${cachePrefix}:${name}`;

  afterAll(async () => {
    await deleteKeysUnder(redis, `${cachePrefix}:`);
    redis.disconnect();
  });

  it('the first script call of each store, in the same tick as plain commands, answers and throws nothing', async () => {
    await redis.ping();
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      // Plain commands open an auto-pipeline; each store's first script call joins it in the same tick.
      const claims = new ClaimStore(redis, 60_000);
      const budget = new ClientBudget(redis, { limit: 5, windowS: 60, counterKey: key, units: 'units' });
      const cache = new ScoreCache(redis, { ttlS: 60, jitterS: 0 });
      const answers = await Promise.all([
        redis.set(key('claim'), 'job-a'),
        claims.replace([key('claim')], 'job-a', 'job-b', true),
        redis.get(key('claim')),
        budget.take('client-1', 2),
        redis.get(key('other')),
        cache.write([{ key: key('answer'), score: ANSWER }]),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
      expect(answers[1]).toEqual([undefined]);
      expect(await redis.get(key('claim'))).toBe('job-b');
      expect(Number(await redis.get(key('client-1')))).toBe(2);
      expect(await redis.ttl(key('answer'))).toBeGreaterThan(0);
    } finally {
      process.off('uncaughtException', record);
    }
  });
});
