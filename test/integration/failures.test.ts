import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { SCORE_QUEUE } from '../../shared/queues.js';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { OwnRedis } from '../support/redis.js';
import { Stack } from '../support/stack.js';

describe('when the parts behind the gateway fail', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('no worker: the request gives up after SYNC_WAIT_MS with 504, and the job stays queued', async () => {
    const stack = await Stack.start({ SYNC_WAIT_MS: '300' });
    cleanups.push(() => stack.stop());
    const started = Date.now();
    const response = await stack.post('/decisions', EXAMPLE_APPLICANT);
    expect(response.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(((await response.json()) as { code: string }).code).toBe('SCORING_TIMEOUT');
    expect(await stack.gateway.queue.getWaitingCount()).toBe(1);

    // The work is not lost: a worker that starts later answers it, and the next call is a HIT.
    await stack.startWorker();
    await expect.poll(() => stack.cacheKeys(), { timeout: 5000 }).toHaveLength(1);
    expect((await stack.post('/decisions', EXAMPLE_APPLICANT)).headers.get('x-cache')).toBe('HIT');
  });

  it('a job that keeps failing is retried JOB_ATTEMPTS times, then answered 502 with the reason', async () => {
    const stack = await Stack.start({ JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '10' });
    cleanups.push(() => stack.stop());
    let attempts = 0;
    const failing = new Worker(
      SCORE_QUEUE,
      async () => {
        attempts += 1;
        throw new Error('model exploded');
      },
      { connection: new Redis(stack.config.REDIS_URL, { maxRetriesPerRequest: null }), prefix: stack.config.QUEUE_PREFIX },
    );
    cleanups.push(() => failing.close());

    const response = await stack.post('/probabilities', applicantNumber(7));
    expect(response.status).toBe(502);
    const body = (await response.json()) as { code: string; title: string };
    expect(body.code).toBe('SCORING_FAILED');
    expect(body.title).toContain('model exploded');
    expect(attempts).toBe(3);
    expect(await stack.cacheKeys()).toEqual([]);
  });

  it('Redis unreachable -> 503 problem+json at once, never a 500, and service resumes when it is back', async () => {
    const redis = await OwnRedis.start();
    cleanups.push(() => redis.stop());
    const stack = await Stack.start({ REDIS_URL: redis.url, SYNC_WAIT_MS: '3000' });
    await stack.startWorker();
    expect((await stack.post('/decisions', EXAMPLE_APPLICANT)).status).toBe(200);

    await redis.stop();
    for (const path of ['/decisions', '/probabilities']) {
      const started = Date.now();
      const response = await stack.post(path, applicantNumber(3));
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { code: string }).code).toBe('REDIS_UNAVAILABLE');
    }

    const restarted = await OwnRedis.start(redis.port);
    cleanups.push(() => restarted.stop(), () => stack.stop());
    await expect
      .poll(async () => (await stack.post('/decisions', applicantNumber(4))).status, { timeout: 10_000, interval: 200 })
      .toBe(200);
  });
});
