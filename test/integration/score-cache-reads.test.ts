import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Score } from '../../shared/score.js';
import { ScoreCache } from '../../shared/score-cache.js';
import { REDIS_URL, deleteKeysUnder, testNamespace } from '../support/redis.js';

/** An answer as the worker writes it; expected costs from the cost matrix (bad accepted 5, good declined 1). */
const ANSWER: Score = {
  decision: 'DECLINE',
  probability: 0.5,
  risk_category: 'HIGH',
  model_version: '79144bd9',
  reasons: [{ code: 'FOREIGN_WORKER', field: 'foreign_worker', description: 'Foreign worker' }],
  expected_cost: { accept: 2.5, decline: 0.5 },
};

describe('ScoreCache reads: answers decoded once per content, shared frozen, never stale', () => {
  const { cachePrefix } = testNamespace();
  const redis = new Redis(REDIS_URL);
  const cache = new ScoreCache(redis, { ttlS: 60, jitterS: 0 });
  const key = (name: string) => `${cachePrefix}:${name}`;

  afterAll(async () => {
    await deleteKeysUnder(redis, `${cachePrefix}:`);
    redis.disconnect();
  });

  it('two entries with the same answer read as one frozen score, reasons and costs frozen too', async () => {
    await cache.write([
      { key: key('a'), score: ANSWER },
      { key: key('b'), score: ANSWER },
    ]);
    const [a, b] = await cache.readMany([key('a'), key('b')]);
    expect(a).toEqual(ANSWER);
    expect(b).toBe(a);
    expect(await cache.read(key('a'))).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a!.reasons)).toBe(true);
    expect(Object.isFrozen(a!.reasons[0])).toBe(true);
    expect(Object.isFrozen(a!.expected_cost)).toBe(true);
    expect(() => {
      (a as { probability: number }).probability = 0.1;
    }).toThrow(TypeError);
  });

  it('an entry changed in Redis under the same key reads as its new content, not the remembered one', async () => {
    await cache.write([{ key: key('c'), score: ANSWER }]);
    expect((await cache.read(key('c')))?.probability).toBe(0.5);
    await redis.hset(key('c'), 'p', '0.2', 'd', '0');
    const changed = await cache.read(key('c'));
    expect(changed?.probability).toBe(0.2);
    expect(changed?.decision).toBe('ACCEPT');
    // 5 × 0.2 and 1 × 0.8, from the cost matrix.
    expect(changed?.expected_cost).toEqual({ accept: 1, decline: 0.8 });
    await redis.hset(key('c'), 'r', '2z');
    expect(await cache.read(key('c'))).toBeUndefined();
  });

  it('a missing key reads as undefined', async () => {
    expect(await cache.read(key('never-written'))).toBeUndefined();
  });
});
