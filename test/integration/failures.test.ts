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

  it('no worker: after SYNC_WAIT_MS the request answers 202 with a job to poll, which completes once a worker starts', async () => {
    const stack = await Stack.start({ SYNC_WAIT_MS: '300' });
    cleanups.push(() => stack.stop());
    const started = Date.now();
    const response = await stack.post('/decisions', EXAMPLE_APPLICANT);
    expect(response.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(2000);
    const location = response.headers.get('location')!;
    expect(location).toMatch(/^\/jobs\/[A-Za-z0-9_-]{22}$/);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ status: 'queued', links: { self: location } });
    expect(await stack.gateway.queue.getWaitingCount()).toBe(1);

    const queued = await fetch(`${stack.url}${location}`);
    expect(queued.headers.get('retry-after')).toBe('1');
    expect(await queued.json()).toMatchObject({ status: 'queued' });

    await stack.startWorker();
    await expect
      .poll(async () => ((await (await fetch(`${stack.url}${location}`)).json()) as { status: string }).status, {
        timeout: 5000,
      })
      .toBe('completed');
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
      {
        connection: new Redis(stack.config.REDIS_URL, { maxRetriesPerRequest: null }),
        prefix: stack.config.QUEUE_PREFIX,
      },
    );
    cleanups.push(() => failing.close());

    const response = await stack.post('/probabilities', applicantNumber(7));
    expect(response.status).toBe(502);
    const body = (await response.json()) as { code: string; title: string };
    expect(body.code).toBe('SCORING_FAILED');
    expect(body.title).toContain('model exploded');
    expect(attempts).toBe(3);
    expect(await stack.answerKeys()).toEqual([]);

    // A poll reports the failure with a reason a client can show.
    const poll = await fetch(`${stack.url}/jobs/${stack.publicId(applicantNumber(7))}`);
    expect(await poll.json()).toMatchObject({ status: 'failed', error: 'model exploded' });
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
    cleanups.push(
      () => restarted.stop(),
      () => stack.stop(),
    );
    await expect
      .poll(async () => (await stack.post('/decisions', applicantNumber(4))).status, { timeout: 10_000, interval: 200 })
      .toBe(200);
  });
});
