import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Score } from '../../shared/score.js';
import { ScoreCache } from '../../shared/score-cache.js';
import { REDIS_URL, deleteKeysUnder, testNamespace } from '../support/redis.js';
import { RedisServer } from '../support/redis-server.js';

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

  it('readMany reads what read reads; entries whose fields join to the same text stay apart; no v is a miss', async () => {
    // Fields as a hand edit or another layout could leave them: "1" + "0.5" + "21" and "1" + "0.52" + "1"
    // are both "10.521" once joined, so an entry's content must say where each field ends.
    await redis.hset(key('x'), { d: '1', p: '0.5', r: '21', v: '79144bd9' });
    await redis.hset(key('y'), { d: '1', p: '0.52', r: '1', v: '79144bd9' });
    await redis.hset(key('z'), { d: '1', p: '0.5', r: '21' });
    const [x, y, z, missing] = await cache.readMany([key('x'), key('y'), key('z'), key('never-written')]);
    expect(x?.probability).toBe(0.5);
    expect(x?.reasons).toHaveLength(1);
    expect(y?.probability).toBe(0.52);
    expect(y?.reasons).toHaveLength(0);
    expect(z).toBeUndefined();
    expect(missing).toBeUndefined();
    expect(await cache.read(key('x'))).toBe(x);
    expect(await cache.read(key('y'))).toBe(y);
    expect(await cache.read(key('z'))).toBeUndefined();
  });

  it('a missing key reads as undefined', async () => {
    expect(await cache.read(key('never-written'))).toBeUndefined();
  });
});

describe('ScoreCache.readMany on a single Redis: one command per 1,000 keys, not one per key', () => {
  let server: RedisServer;
  let admin: Redis;
  let redis: Redis;

  beforeAll(async () => {
    server = await RedisServer.start();
    admin = server.client();
    redis = new Redis(server.url, { enableAutoPipelining: true });
  });
  afterAll(async () => {
    redis.disconnect();
    admin.disconnect();
    await server.stop();
  });

  it('2,500 keys, every third one cached: 3 commands, and each answer (or miss) in key order', async () => {
    const cache = new ScoreCache(redis, { ttlS: 60, jitterS: 0 });
    const keys = Array.from({ length: 2500 }, (_, i) => `s:79144bd9:${i}`);
    const cached = keys.filter((_, i) => i % 3 === 0);
    await cache.write(cached.map((k, n) => ({ key: k, score: { ...ANSWER, probability: n / cached.length } })));
    await redis.ping();
    // The server's own record of every command a client sent (a script's own calls are marked "lua").
    const monitor = await admin.monitor();
    const sent: string[] = [];
    // MONITOR reports commands in the order the server ran them: the PING sent after the read comes last.
    const pingSeen = new Promise<void>((resolve) =>
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source === 'lua') return;
        sent.push(String(args[0]).toLowerCase());
        if (sent.at(-1) === 'ping') resolve();
      }),
    );

    const read = await cache.readMany(keys);
    await redis.ping();
    await pingSeen;
    monitor.disconnect();

    // ceil(2,500 / 1,000) script calls (EVALSHA, or EVAL where the server had to load the script), then our PING.
    expect(sent.filter((command) => command !== 'ping')).toHaveLength(3);
    expect(sent.filter((command) => command === 'hgetall')).toHaveLength(0);
    expect(read).toHaveLength(2500);
    read.forEach((score, i) => {
      if (i % 3 === 0) expect(score?.probability).toBe(i / 3 / cached.length);
      else expect(score).toBeUndefined();
    });
  });
});
