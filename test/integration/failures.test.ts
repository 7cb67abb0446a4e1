import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { OwnRedis } from '../support/redis.js';
import { Stack } from '../support/stack.js';

/**
 * Ceilings for waits on a busy 2-core machine: generous, so only a hang reaches them. A request that
 * waited on the worker would take SYNC_WAIT_MS (set far above the ceiling where that matters).
 */
const CEILING_MS = 15_000;
const LONG_SYNC_WAIT_MS = '60000';

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
    // It waited its SYNC_WAIT_MS for the worker first (a lower bound holds on any machine).
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
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
        timeout: CEILING_MS,
      })
      .toBe('completed');
    expect((await stack.post('/decisions', EXAMPLE_APPLICANT)).headers.get('x-cache')).toBe('HIT');
  }, 90_000);

  it('a job that keeps failing is retried JOB_ATTEMPTS times, then answered 502 with the reason', async () => {
    // The three attempts must end inside the synchronous wait, however slow the machine.
    const stack = await Stack.start({ JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '10', SYNC_WAIT_MS: LONG_SYNC_WAIT_MS });
    cleanups.push(() => stack.stop());
    let attempts = 0;
    // The service's own worker (it publishes each job's final outcome), with a model that always throws.
    await stack.startWorker({
      version: stack.gateway.modelVersion,
      score: () => {
        attempts += 1;
        return Promise.reject(new Error('model exploded'));
      },
    });

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
  }, 90_000);

  it('Redis unreachable -> 503 problem+json at once, never a 500, and service resumes when it is back', async () => {
    const redis = await OwnRedis.start();
    cleanups.push(() => redis.stop());
    const stack = await Stack.start({ REDIS_URL: redis.url, SYNC_WAIT_MS: LONG_SYNC_WAIT_MS });
    await stack.startWorker();
    expect((await stack.post('/decisions', EXAMPLE_APPLICANT)).status).toBe(200);

    await redis.stop();
    for (const path of ['/decisions', '/probabilities']) {
      const started = Date.now();
      const response = await stack.post(path, applicantNumber(3));
      expect(response.status).toBe(503);
      // "At once": not after SYNC_WAIT_MS (60 s), nor after Redis is back; the ceiling is only for hangs.
      expect(Date.now() - started).toBeLessThan(CEILING_MS);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { code: string }).code).toBe('REDIS_UNAVAILABLE');
    }

    const restarted = await OwnRedis.start(redis.port);
    cleanups.push(
      () => restarted.stop(),
      () => stack.stop(),
    );
    await expect
      .poll(async () => (await stack.post('/decisions', applicantNumber(4))).status, {
        timeout: 2 * CEILING_MS,
        interval: 200,
      })
      .toBe(200);
  }, 90_000);
});
