import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { keysUnder } from '../support/redis.js';
import { RedisServer } from '../support/redis-server.js';
import { Stack } from '../support/stack.js';

/** Each test takes its own range of never-scored applicants, so every one is a miss. */
let nextApplicant = 0;
const fresh = (count: number) => {
  const applicants = distinctApplicants(nextApplicant, count);
  nextApplicant += count;
  return applicants;
};

describe('the miss limit counts model work, per client (IPv6 by prefix)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ RATE_LIMIT_MISSES: '10', RATE_LIMIT_WRITES: '0', TRUST_PROXY_HOPS: '1' });
    await stack.startWorker();
  });
  afterAll(() => stack.stop());

  it('a batch of 8 distinct misses counts 8: the next batch of 8 is refused with 429 and queues nothing', async () => {
    const client = { 'x-forwarded-for': '198.51.100.20' };
    expect((await stack.post('/scores/batch', { applicants: fresh(8) }, client)).status).toBe(200);
    const jobsBefore = await stack.jobCount();
    const refused = await stack.post('/scores/batch', { applicants: fresh(8) }, client);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await stack.jobCount()).toBe(jobsBefore);
  });

  it('duplicates and hits in a batch cost nothing: only distinct misses count', async () => {
    const client = { 'x-forwarded-for': '198.51.100.21' };
    const [a, b] = fresh(2);
    expect((await stack.post('/scores/batch', { applicants: [a, a, a, b, b] }, client)).status).toBe(200);
    // 2 counted so far; 8 more distinct misses reach the limit of 10 exactly, and the hits of a and b are free.
    const answered = await stack.post('/scores/batch', { applicants: [a!, b!, ...fresh(8)] }, client);
    expect(answered.status).toBe(200);
    expect((await stack.post('/scores', fresh(1)[0], client)).status).toBe(429);
  });

  it('IPv6 addresses of one /56 share one budget and one counter key', async () => {
    const counters = stack.keys.rateLimit('miss', '');
    const before = (await keysUnder(stack.redis, counters)).length;
    // Ten addresses of 2001:db8:aa:bb00::/56, one miss each: the budget of 10 is spent...
    for (let i = 0; i < 10; i++) {
      const client = { 'x-forwarded-for': `2001:db8:aa:bb${i.toString(16).padStart(2, '0')}::${i + 1}` };
      expect((await stack.post('/scores', fresh(1)[0], client)).status).toBe(200);
    }
    // ...so an eleventh address of the same /56 is refused, while another /56 still has its own budget.
    const sameNetwork = { 'x-forwarded-for': '2001:db8:aa:bbff:1234:5678:9abc:def0' };
    expect((await stack.post('/scores', fresh(1)[0], sameNetwork)).status).toBe(429);
    const otherNetwork = { 'x-forwarded-for': '2001:db8:aa:cc00::1' };
    expect((await stack.post('/scores', fresh(1)[0], otherNetwork)).status).toBe(200);
    expect((await keysUnder(stack.redis, counters)).length - before).toBe(2);
  });
});

describe('the miss limiter heals after its script is lost and reloading it fails once', () => {
  let server: RedisServer;
  let stack: Stack;

  beforeAll(async () => {
    server = await RedisServer.start();
    stack = await Stack.start({ REDIS_URL: server.url, RATE_LIMIT_MISSES: '1000', RATE_LIMIT_WRITES: '0' });
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack.stop();
    await server.dispose();
  });

  it('SCRIPT FLUSH, then SCRIPT denied for one miss, then allowed again -> later misses are served, not 503', async () => {
    expect((await stack.post('/scores', fresh(1)[0])).status).toBe(200);
    const admin = server.client();
    try {
      await admin.script('FLUSH');
      // The private server's default user may no longer run SCRIPT (LOAD): the store's reload fails.
      await admin.call('ACL', 'SETUSER', 'default', '-script');
      const during = await stack.post('/scores', fresh(1)[0]);
      expect([200, 503]).toContain(during.status);
      await admin.call('ACL', 'SETUSER', 'default', '+script');
    } finally {
      await admin.call('ACL', 'SETUSER', 'default', '+script');
      admin.disconnect();
    }
    for (const applicant of fresh(3)) expect((await stack.post('/scores', applicant)).status).toBe(200);
  });
});
