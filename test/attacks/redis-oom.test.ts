import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicantNumber } from '../support/applicants.js';
import { capturedLog, PINO_ERROR_LEVEL } from '../support/captured-log.js';
import { PROJECT_ROOT } from '../support/processes.js';
import { RedisServer } from '../support/redis-server.js';
import { Stack } from '../support/stack.js';

/** Small enough to fill in a moment, large enough for BullMQ, a worker and a few answers. */
const MAXMEMORY_BYTES = 16 * 1024 * 1024;
const FILLER_BYTES = 256 * 1024;
/** How far under its use the full Redis's maxmemory is set, so freed client buffers do not make room. */
const HEADROOM_BYTES = 1024 * 1024;

describe('attack: fill the non-evicting queue Redis (issue 10, item 1: maxmemory + noeviction)', () => {
  let redis: RedisServer;
  let stack: Stack;
  let filler: ReturnType<RedisServer['client']>;
  const { log, lines } = capturedLog();
  const hit = applicantNumber(1);

  beforeAll(async () => {
    redis = await RedisServer.start({ maxmemoryBytes: MAXMEMORY_BYTES, maxmemoryPolicy: 'noeviction' });
    stack = await Stack.start({ REDIS_URL: redis.url, SYNC_WAIT_MS: '5000' }, log);
    await stack.startWorker();
    expect((await stack.post('/scores', hit)).status).toBe(200);

    // Fill it the way a flood of batch records would, until Redis refuses writes. Redis then frees
    // client buffers now and then, which would let small writes through again: hold it full by
    // setting maxmemory a little under what it uses (noeviction: nothing is removed).
    filler = redis.client();
    for (let key = 0; ; key++) {
      try {
        await filler.set(`filler:${key}`, Buffer.alloc(FILLER_BYTES, 1));
      } catch (error) {
        expect(String(error)).toMatch(/^ReplyError: OOM command not allowed/);
        break;
      }
    }
    const used = Number(/used_memory:(\d+)/.exec(await filler.info('memory'))![1]);
    await filler.config('SET', 'maxmemory', String(used - HEADROOM_BYTES));
  }, 60_000);
  afterAll(async () => {
    // Room again, for the stack's own clean-up (its scripts write).
    await filler.config('SET', 'maxmemory', '0');
    filler.disconnect();
    await stack.stop();
    await redis.dispose();
  });

  it.each([
    ['a miss', '/scores', applicantNumber(2)],
    ['an async job', '/jobs', { applicant: applicantNumber(3) }],
    ['a batch with a miss', '/scores/batch', { applicants: [hit, applicantNumber(4)] }],
    ['an async batch', '/jobs', { applicants: [applicantNumber(5), applicantNumber(6)] }],
  ])('%s (POST %s) on a full Redis -> 503 REDIS_FULL problem+json with Retry-After', async (_what, path, body) => {
    const response = await stack.post(path, body);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await response.json()).toMatchObject({ status: 503, code: 'REDIS_FULL' });
  });

  it('hits are still served from the full Redis', async () => {
    const response = await stack.post('/scores', hit);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('HIT');
  });

  it('nothing was answered 500 or logged as an unhandled error', () => {
    expect(lines.filter((line) => line.res?.statusCode === 500)).toEqual([]);
    expect(lines.filter((line) => line.level >= PINO_ERROR_LEVEL && line.msg === 'unhandled error')).toEqual([]);
  });
});

describe('the production compose profile caps the queue Redis', () => {
  it('queue-redis runs with a maxmemory and maxmemory-policy noeviction', () => {
    const compose = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
    // The service's block: from its name to the next service at the same indentation.
    const block = /^  queue-redis:\n((?: {4}.*\n|\s*\n)+)/m.exec(compose)?.[1] ?? '';
    const args = [...block.matchAll(/'([^']*)'/g)].map((match) => match[1]!);
    expect(args[args.indexOf('--maxmemory') + 1]).toMatch(/^\$\{QUEUE_MAXMEMORY:-\d+[kmg]b\}$/);
    expect(args[args.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
  });
});
