import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicantNumber } from '../support/applicants.js';
import { reportFigures } from '../support/figures.js';
import { send } from '../support/http-load.js';
import { troubleLines } from '../support/log-scan.js';
import { ServiceProcess } from '../support/processes.js';
import { freePort, keysUnder } from '../support/redis.js';
import { RedisServer } from '../support/redis-server.js';
import { ServiceFleet } from '../support/service-fleet.js';
import { waitUntil } from '../support/wait.js';

/** Small, so a few filler writes make the evicting Redis drop a cached answer. */
const CACHE_MAXMEMORY_BYTES = 4 * 1024 * 1024;

/** Starts a built process, keeping its stderr apart (the one-line start-up error goes there). */
function startWithStderr(
  script: string,
  env: Record<string, string>,
): { service: ServiceProcess; stderr: () => string } {
  const service = ServiceProcess.start(script, env);
  let stderr = '';
  service.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { service, stderr: () => stderr };
}

describe('fault: a Redis that evicts keys', () => {
  let evicting: RedisServer;
  let keeping: RedisServer;

  beforeAll(async () => {
    [evicting, keeping] = await Promise.all([
      RedisServer.start({ maxmemoryPolicy: 'allkeys-lru', maxmemoryBytes: CACHE_MAXMEMORY_BYTES }),
      RedisServer.start({ maxmemoryPolicy: 'noeviction' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([evicting.dispose(), keeping.dispose()]);
  });

  const refusals: Array<[string, string, string, () => Record<string, string>]> = [
    ['gateway', 'api/main.js', 'REDIS_URL', () => ({ REDIS_URL: evicting.url })],
    ['worker', 'worker/main.js', 'REDIS_URL', () => ({ REDIS_URL: evicting.url })],
    [
      'gateway',
      'api/main.js',
      'QUEUE_REDIS_URL, cache apart',
      () => ({ QUEUE_REDIS_URL: evicting.url, CACHE_REDIS_URL: keeping.url }),
    ],
    [
      'worker',
      'worker/main.js',
      'QUEUE_REDIS_URL, cache apart',
      () => ({ QUEUE_REDIS_URL: evicting.url, CACHE_REDIS_URL: keeping.url }),
    ],
  ];

  it.each(refusals)(
    '%s (%s) whose queue Redis (%s) is allkeys-lru -> exits 1 with one line on stderr naming the policy and the fix',
    async (name, script, how, env) => {
      const port = await freePort();
      const started = performance.now();
      const { service, stderr } = startWithStderr(script, { PORT: String(port), ...env() });

      const exit = await Promise.race([
        service.exited,
        new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 15_000)),
      ]);
      if (exit === 'still running') await service.stop('SIGKILL');

      expect(exit).toEqual({ code: 1, signal: null });
      const lines = stderr().trim().split('\n');
      expect(lines).toEqual([expect.stringContaining('maxmemory-policy allkeys-lru')]);
      expect(lines[0]).toContain('BullMQ needs noeviction');
      expect(lines[0]).toContain(how === 'REDIS_URL' ? 'CACHE_REDIS_URL' : 'set maxmemory-policy noeviction');
      reportFigures(`evicting queue Redis refused by the ${name} (${how})`, {
        exitMs: Math.round(performance.now() - started),
      });
    },
  );

  describe('cache on the evicting Redis (CACHE_REDIS_URL), queue on a noeviction one (QUEUE_REDIS_URL)', () => {
    let fleet: ServiceFleet;
    let base: string;
    let api: ServiceProcess;
    let worker: ServiceProcess;

    beforeAll(async () => {
      fleet = new ServiceFleet(keeping.url, { QUEUE_REDIS_URL: keeping.url, CACHE_REDIS_URL: evicting.url });
      ({ api, base } = await fleet.startGateway());
      worker = await fleet.startWorker();
    });
    afterAll(() => fleet.stop());

    it('both processes start and serve: MISS then HIT, the answer lives in the cache Redis, the job in the queue Redis', async () => {
      const applicant = applicantNumber(21);
      const cacheRedis = evicting.client();

      const miss = await send({ label: 'miss', url: `${base}/scores`, body: applicant, budgetMs: 10_000 });
      const hit = await send({ label: 'hit', url: `${base}/scores`, body: applicant, budgetMs: 10_000 });

      expect(miss.status).toBe(200);
      expect(miss.headers?.get('x-cache')).toBe('MISS');
      expect(hit.status).toBe(200);
      expect(hit.headers?.get('x-cache')).toBe('HIT');
      expect(hit.body).toEqual(miss.body);
      const version = (miss.body as { model_version: string }).model_version;
      const cacheKey = fleet.keys.score(version, fleet.publicId(applicant, version));
      expect(await cacheRedis.exists(cacheKey)).toBe(1);
      expect(await fleet.redis.exists(cacheKey)).toBe(0);
      expect(await keysUnder(cacheRedis, fleet.namespace.queuePrefix)).toEqual([]);
      expect(await fleet.queue.getJobCounts('completed', 'failed')).toMatchObject({ failed: 0 });
      expect((await fleet.queue.getJobCounts('completed')).completed).toBeGreaterThan(0);
      cacheRedis.disconnect();
    });

    it('the cache Redis evicts an answer under memory pressure -> the next request is scored again (200 MISS), never an error', async () => {
      const applicant = applicantNumber(22);
      const first = await send({ label: 'miss', url: `${base}/scores`, body: applicant, budgetMs: 10_000 });
      expect(first.status).toBe(200);
      const version = (first.body as { model_version: string }).model_version;
      const cacheKey = fleet.keys.score(version, fleet.publicId(applicant, version));
      const cacheRedis = evicting.client();

      // Filler under a prefix of the test's own, written until the LRU has dropped the cached answer.
      let fillers = 0;
      await waitUntil(
        'the cached answer to be evicted',
        async () => {
          const pipeline = cacheRedis.pipeline();
          for (let i = 0; i < 100; i++) pipeline.set(`filler:${fillers++}`, 'x'.repeat(4096));
          await pipeline.exec();
          return (await cacheRedis.exists(cacheKey)) === 0;
        },
        { intervalMs: 0 },
      );
      const again = await send({ label: 'again', url: `${base}/scores`, body: applicant, budgetMs: 10_000 });

      expect(again.status).toBe(200);
      expect(again.headers?.get('x-cache')).toBe('MISS');
      expect(again.body).toEqual(first.body);
      expect(await cacheRedis.exists(cacheKey)).toBe(1);
      expect([api.isRunning, worker.isRunning]).toEqual([true, true]);
      expect(troubleLines(api.output)).toEqual([]);
      expect(troubleLines(worker.output)).toEqual([]);
      reportFigures('evicting cache Redis', { fillerKeysUntilEviction: fillers });
      cacheRedis.disconnect();
    });
  });
});
