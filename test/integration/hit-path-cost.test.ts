import type { Logger } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { applicantNumber } from '../support/applicants.js';
import { capturedLog } from '../support/captured-log.js';
import { HTTP_LANES } from '../support/lanes.js';
import { Stack } from '../support/stack.js';

// Counts how often the gateway works out a client key (an IPv6 / IPv4-mapped address parse each time).
const keyings = vi.hoisted(() => ({ count: 0 }));
// The gateway remembers each address's key for the life of the process: each lane's client is new to it.
let clients = 0;
vi.mock('express-rate-limit', async (importOriginal) => {
  const real = await importOriginal<typeof import('express-rate-limit')>();
  return {
    ...real,
    ipKeyGenerator: (...args: Parameters<typeof real.ipKeyGenerator>) => {
      keyings.count += 1;
      return real.ipKeyGenerator(...args);
    },
  };
});

describe.each(HTTP_LANES)('hit path: only budget spenders pay for the client key ($lane)', ({ env }) => {
  let stack: Stack;
  let next = 0;
  const freshApplicant = () => applicantNumber(next++);

  beforeAll(async () => {
    stack = await Stack.start({ ...env, TRUST_PROXY_HOPS: '1' });
    await stack.startWorker();
  });
  afterAll(() => stack.stop());
  beforeEach(() => {
    keyings.count = 0;
  });

  it('a cache hit never works out the client key; the miss before it does, once', async () => {
    const client = { 'x-forwarded-for': `2001:db8:aa:bb01::${++clients}` };
    const applicant = freshApplicant();

    const miss = await stack.post('/scores', applicant, client);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(keyings.count).toBe(1);

    keyings.count = 0;
    for (const path of ['/scores', '/decisions', '/reasons']) {
      const hit = await stack.post(path, applicant, client);
      expect(hit.status).toBe(200);
      expect(hit.headers.get('x-cache')).toBe('HIT');
    }
    expect(keyings.count).toBe(0);
  });

  it("a client's next miss does not work its key out again: keys are remembered by address", async () => {
    const client = { 'x-forwarded-for': `2001:db8:aa:bb01::${++clients}` };
    await stack.post('/scores', freshApplicant(), client);
    keyings.count = 0;
    const again = await stack.post('/scores', freshApplicant(), client);
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect(keyings.count).toBe(0);
  });

  it('the key a miss is charged to is still the /56 of the address the trusted proxy saw', async () => {
    const applicant = freshApplicant();
    await stack.post('/scores', applicant, { 'x-forwarded-for': '2001:db8:aa:bb01::1' });
    // 2001:db8:aa:bb01::1 lies in 2001:db8:aa:bb00::/56 (the first 56 bits kept, the rest zeroed).
    expect(await stack.redis.exists(stack.keys.rateLimit('miss', '2001:db8:aa:bb00::/56'))).toBe(1);
  });
});

describe('hit path: the request log costs a hit one child logger, and its lines keep the route', () => {
  let stack: Stack;
  const captured = capturedLog();
  // Every pino logger, and every child of one, inherits `child` from this prototype.
  let pinoPrototype: object = captured.log;
  while (!Object.prototype.hasOwnProperty.call(pinoPrototype, 'child'))
    pinoPrototype = Object.getPrototypeOf(pinoPrototype);
  const children = vi.spyOn(pinoPrototype as Logger, 'child');

  beforeAll(async () => {
    captured.log.level = 'info';
    stack = await Stack.start({}, captured.log);
    await stack.startWorker();
  });
  afterAll(() => stack.stop());

  it('LOG_LEVEL info: hits log nothing and make one child logger each (pino-http makes it); a miss logs its route template', async () => {
    const applicant = applicantNumber(1000);
    const miss = await stack.post('/scores', applicant);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const missLine = captured.lines.find((line) => line.res?.statusCode === 200);
    // pino-http's line: its fields, in its order (tests and log pipelines read them).
    expect(Object.keys(missLine ?? {})).toEqual([
      'level',
      'time',
      'pid',
      'hostname',
      'req',
      'res',
      'responseTime',
      'route',
      'msg',
    ]);
    expect(missLine).toMatchObject({
      level: 30,
      req: { id: miss.headers.get('x-request-id'), method: 'POST' },
      res: { statusCode: 200 },
      route: '/scores',
      msg: 'request completed',
    });
    expect(Object.keys(missLine!.req!)).toEqual(['id', 'method']);

    const linesBefore = captured.lines.length;
    children.mockClear();
    for (let i = 0; i < 3; i++) expect((await stack.post('/scores', applicant)).headers.get('x-cache')).toBe('HIT');
    expect(captured.lines.length).toBe(linesBefore);
    expect(children.mock.calls.length).toBe(3);
  });
});
