import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway } from '../../api/gateway.js';
import { loadConfig, type Config } from '../../shared/config.js';
import { StartupError } from '../../shared/errors.js';
import type { Score } from '../../shared/score.js';
import { loadModel, startScoringWorker } from '../../worker/scoring-worker.js';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { keysUnder, testNamespace } from '../support/redis.js';
import { RedisServer } from '../support/redis-server.js';
import { Stack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

const silent = pino({ level: 'silent' });
const CACHE_MAXMEMORY_BYTES = 64 * 1024 * 1024;

/** The error `promise` rejects with; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a refusal, but it started');
    },
    (error: unknown) => error as Error,
  );
}

/** A secret, so the refusal under test is the one about Redis, not the one about SERVICE_SECRET. */
const QUIET_WITH_SECRET = {
  LOG_LEVEL: 'silent',
  NODE_ENV: 'test',
  SERVICE_SECRET: 'split-roles-test-secret-0123456789abcdef',
};

/** A gateway's start-up refusal for `env`, its connections closed again. */
async function gatewayRefusal(env: Record<string, string>): Promise<Error> {
  const gateway = buildGateway(loadConfig({ ...testNamespace(), ...QUIET_WITH_SECRET, ...env }), silent);
  try {
    return await rejectionOf(gateway.whenReady());
  } finally {
    await gateway.close();
  }
}

/** A worker's start-up refusal for `env` (startScoringWorker closes its connections when it refuses). */
async function workerRefusal(env: Record<string, string>): Promise<Error> {
  const config: Config = loadConfig({ ...testNamespace(), ...QUIET_WITH_SECRET, ...env });
  return rejectionOf(loadModel(config).then((model) => startScoringWorker(config, silent, model)));
}

/** An operator's credentials: /readyz tells only them why it is not ready. */
const OPERATOR = { ADMIN_USER: 'operator', ADMIN_PASSWORD: 'correct-horse-battery' };
const AUTH = { authorization: `Basic ${Buffer.from('operator:correct-horse-battery').toString('base64')}` };

describe('split roles: cache on an evicting Redis (CACHE_REDIS_URL), queue on a noeviction one (QUEUE_REDIS_URL)', () => {
  let cacheServer: RedisServer;
  let queueServer: RedisServer;
  let cacheReads: Redis;
  let queueReads: Redis;
  let stack: Stack;
  const applicants = distinctApplicants(2000, 60);

  beforeAll(async () => {
    [cacheServer, queueServer] = await Promise.all([
      RedisServer.start({ maxmemoryPolicy: 'allkeys-lru', maxmemoryBytes: CACHE_MAXMEMORY_BYTES }),
      RedisServer.start({ maxmemoryPolicy: 'noeviction', appendOnly: true }),
    ]);
    [cacheReads, queueReads] = [cacheServer.client(), queueServer.client()];
    stack = await Stack.start({
      REDIS_URL: queueServer.url,
      QUEUE_REDIS_URL: queueServer.url,
      CACHE_REDIS_URL: cacheServer.url,
      ...OPERATOR,
    });
    await stack.startWorker();
  });
  afterAll(async () => {
    await stack?.stop();
    cacheReads?.disconnect();
    queueReads?.disconnect();
    await Promise.all([cacheServer?.dispose(), queueServer?.dispose()]);
  });

  it('the service starts on an allkeys-lru cache and answers: sync MISS then HIT, a batch, an async job', async () => {
    const [single, ...rest] = applicants.slice(0, 12);

    const miss = await stack.post('/scores', single);
    const hit = await stack.post('/scores', single);
    const batch = await stack.post('/scores/batch', { applicants: [...rest.slice(0, 10), single] });
    const accepted = await stack.post('/jobs', { applicant: rest[10] });
    const { id } = (await accepted.json()) as { id: string };
    const polled = await waitUntil('the async job to complete', async () => {
      const { body } = await stack.get<{ status: string; result?: Score }>(`/jobs/${id}`);
      return body.status === 'completed' && body;
    });

    expect([miss.status, hit.status, batch.status, accepted.status]).toEqual([200, 200, 200, 202]);
    expect([miss.headers.get('x-cache'), hit.headers.get('x-cache')]).toEqual(['MISS', 'HIT']);
    expect(await hit.json()).toEqual(await miss.json());
    expect(((await batch.json()) as { results: Score[] }).results).toHaveLength(11);
    expect(polled.result?.model_version).toBe(stack.gateway.modelVersion);
  });

  it('cached answers land on the cache Redis alone; BullMQ keys, claims and batch records on the queue Redis alone', async () => {
    await stack.post('/jobs', { applicants: applicants.slice(30, 35) });
    const keys = stack.keys;
    const answers = keys.score(stack.gateway.modelVersion, '');
    const queuePrefix = stack.config.QUEUE_PREFIX;

    const onCache = {
      answers: await keysUnder(cacheReads, answers),
      queue: await keysUnder(cacheReads, queuePrefix),
      claims: await keysUnder(cacheReads, keys.claim(stack.gateway.modelVersion, '')),
      batches: await keysUnder(cacheReads, keys.batch('')),
    };
    const onQueue = {
      answers: await keysUnder(queueReads, answers),
      queue: await keysUnder(queueReads, queuePrefix),
      claims: await keysUnder(queueReads, keys.claim(stack.gateway.modelVersion, '')),
      batches: await keysUnder(queueReads, keys.batch('')),
    };

    expect(onCache.answers).toEqual(
      expect.arrayContaining(
        applicants.slice(0, 12).map((a) => keys.score(stack.gateway.modelVersion, stack.publicId(a))),
      ),
    );
    expect({ ...onCache, answers: [] }).toEqual({ answers: [], queue: [], claims: [], batches: [] });
    expect(onQueue.answers).toEqual([]);
    expect(onQueue.queue.length).toBeGreaterThan(0);
    expect(onQueue.claims.length).toBeGreaterThanOrEqual(12);
    expect(onQueue.batches).toHaveLength(1);
  });

  it('the cache Redis goes away -> /readyz 503 saying Redis is unreachable; it comes back -> 200', async () => {
    await cacheServer.stop('SIGKILL');
    // The last verdict (ready) stands for up to a second: wait for the outage to show.
    const down = await waitUntil('readiness to see the cache Redis gone', async () => {
      const answer = await stack.get<{ code: string; detail: string }>('/readyz', AUTH);
      return answer.response.status === 503 && answer;
    });
    await cacheServer.restart();
    const up = await waitUntil('readiness after the cache Redis restarted', async () => {
      const { response, body } = await stack.get('/readyz', AUTH);
      return response.status === 200 && body;
    });

    expect(down.response.status).toBe(503);
    expect(down.body.code).toBe('NOT_READY');
    expect(down.body.detail).toMatch(/^Redis is unreachable/);
    expect(up).toMatchObject({ status: 'ready', workers: 1 });
  });

  it('queue on the evicting Redis -> the gateway and the worker refuse to start, saying which Redis, which policy and the fix', async () => {
    const env = { QUEUE_REDIS_URL: cacheServer.url, CACHE_REDIS_URL: queueServer.url };
    const expected =
      `The queue's Redis at ${cacheServer.url} uses maxmemory-policy allkeys-lru; ` +
      'BullMQ needs noeviction: set maxmemory-policy noeviction on it.';

    const [gateway, worker] = await Promise.all([gatewayRefusal(env), workerRefusal(env)]);

    expect(gateway).toBeInstanceOf(StartupError);
    expect(gateway.message).toBe(expected);
    expect(worker).toBeInstanceOf(StartupError);
    expect(worker.message).toBe(expected);
  });

  it('one evicting Redis for both roles -> the refusal suggests giving the cache its own Redis with CACHE_REDIS_URL', async () => {
    const refusal = await gatewayRefusal({ REDIS_URL: cacheServer.url });

    expect(refusal).toBeInstanceOf(StartupError);
    expect(refusal.message).toContain('maxmemory-policy allkeys-lru');
    expect(refusal.message).toContain('give the cache its own Redis with CACHE_REDIS_URL');
  });
});
