import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { reportFigures } from '../support/figures.js';
import { keysUnder } from '../support/redis.js';
import { RedisServer } from '../support/redis-server.js';
import { Stack } from '../support/stack.js';

interface JobBody {
  id?: string;
  status: string;
  result?: unknown;
}

let nextApplicant = 2000;
const fresh = (count: number) => {
  const applicants = distinctApplicants(nextApplicant, count);
  nextApplicant += count;
  return applicants;
};

/** Calls per command since the server started, from INFO commandstats (`cmdstat_get:calls=12,...`). */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1]!, Number(match[2]));
  }
  return calls;
}

/** The server's `used_memory` (INFO memory), in bytes. */
async function usedMemory(redis: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))![1]);
}

function callsBetween(before: Map<string, number>, after: Map<string, number>): { total: number; hgetall: number } {
  let total = 0;
  for (const [command, n] of after) total += n - (before.get(command) ?? 0);
  return { total, hgetall: (after.get('hgetall') ?? 0) - (before.get('hgetall') ?? 0) };
}

async function pollUntilFinished(stack: Stack, location: string): Promise<JobBody> {
  for (let tries = 0; tries < 300; tries++) {
    const { body } = await stack.get<JobBody>(location);
    if (body.status === 'completed' || body.status === 'failed') return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${location} did not finish`);
}

describe('writes and polls a client can cause are bounded', () => {
  let server: RedisServer;
  let stack: Stack;
  const batchKeys = () => keysUnder(stack.redis, stack.keys.batch(''));

  beforeAll(async () => {
    // A private server: INFO commandstats counts every client of the server, so no other test may share it.
    server = await RedisServer.start();
    stack = await Stack.start({
      REDIS_URL: server.url,
      BATCH_MAX_ITEMS: '1000',
      RATE_LIMIT_MISSES: '0',
      RATE_LIMIT_WRITES: '100',
      TRUST_PROXY_HOPS: '1',
    });
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack.stop();
    await server.dispose();
  });

  it('POST /jobs with a batch of cached applicants -> 200 completed with the results, and no batch record', async () => {
    const applicants = fresh(5);
    const client = { 'x-forwarded-for': '198.51.100.30' };
    const warm = await stack.post('/scores/batch', { applicants }, client);
    expect(warm.status).toBe(200);
    const { results } = (await warm.json()) as { results: unknown[] };

    for (let i = 0; i < 30; i++) {
      const response = await stack.post('/jobs', { applicants }, client);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'completed', result: results });
    }
    expect(await batchKeys()).toEqual([]);
  });

  it('batch records cost their size against RATE_LIMIT_WRITES: past it 429, and no record is added', async () => {
    const client = { 'x-forwarded-for': '198.51.100.31' };
    const recordsBefore = (await batchKeys()).length;
    // 100 units: four batches of 20 new applicants fit (20 each), a fifth of 30 does not.
    for (let i = 0; i < 4; i++) {
      expect((await stack.post('/jobs', { applicants: fresh(20) }, client)).status).toBe(202);
    }
    const refused = await stack.post('/jobs', { applicants: fresh(30) }, client);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await batchKeys()).length - recordsBefore).toBe(4);

    // Past the limit, hammering adds nothing: 20 more batches, all refused, no record, no job.
    const memoryBefore = await usedMemory(stack.redis);
    const jobsBefore = await stack.jobCount();
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await stack.post('/jobs', { applicants: fresh(30) }, client)).status);
    expect(statuses.every((status) => status === 429)).toBe(true);
    expect((await batchKeys()).length - recordsBefore).toBe(4);
    expect(await stack.jobCount()).toBe(jobsBefore);
    reportFigures('batch records past the write budget', {
      refused: statuses.length,
      recordsAdded: (await batchKeys()).length - recordsBefore - 4,
      usedMemoryDeltaBytes: (await usedMemory(stack.redis)) - memoryBefore,
    });
  });

  it('polls count against RATE_LIMIT_WRITES too: past it 429', async () => {
    const client = { 'x-forwarded-for': '198.51.100.32' };
    const submitted = await stack.post('/jobs', { applicant: fresh(1)[0] }, client);
    const location = submitted.headers.get('location')!;
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) {
      statuses.push((await fetch(`${stack.url}${location}`, { headers: client })).status);
    }
    expect(statuses.slice(0, 99).every((status) => status === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('a finished batch is stored once', () => {
  let server: RedisServer;
  let stack: Stack;

  beforeAll(async () => {
    server = await RedisServer.start();
    stack = await Stack.start({ REDIS_URL: server.url, BATCH_MAX_ITEMS: '1000', RATE_LIMIT_MISSES: '0' });
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack.stop();
    await server.dispose();
  });

  it('a poll of a finished 1,000-applicant batch costs O(1) Redis calls (INFO commandstats)', async () => {
    // Each poll below is its own client, so the limit is not what keeps the calls down.
    // A server of its own: the applicants need not differ from the other tests'.
    const submitted = await stack.post(
      '/jobs',
      { applicants: distinctApplicants(0, 1000) },
      { 'x-forwarded-for': '198.51.100.33' },
    );
    expect(submitted.status).toBe(202);
    const location = submitted.headers.get('location')!;
    const finished = await pollUntilFinished(stack, location);
    expect(finished.status).toBe('completed');
    expect(finished.result).toHaveLength(1000);

    const admin = server.client();
    try {
      const before = await commandCalls(admin);
      for (let i = 0; i < 10; i++) {
        const response = await fetch(`${stack.url}${location}`, { headers: { 'x-forwarded-for': `203.0.113.${i}` } });
        expect(response.status).toBe(200);
        expect(((await response.json()) as JobBody).result).toEqual(finished.result);
      }
      const calls = callsBetween(before, await commandCalls(admin));
      reportFigures('10 polls of a finished 1,000-applicant batch', {
        redisCalls: calls.total,
        hgetall: calls.hgetall,
        recordBytes: Number(await admin.memory('USAGE', stack.keys.batch(location.split('/').at(-1)!))),
      });
      // Before: every poll re-read the 1,000 answers (10,000 HGETALL). Now: the record, a counter, and
      // the background traffic of the queue and worker; 10 polls stay far below one batch's size.
      expect(calls.hgetall).toBe(0);
      expect(calls.total).toBeLessThan(150);
    } finally {
      admin.disconnect();
    }
  });
});
