import { get } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { readModelManifest } from '../../shared/model-manifest.js';
import { SCORE_QUEUE } from '../../shared/queues.js';
import { applicantNumber } from '../support/applicants.js';
import { SHIPPED_MANIFEST_PATH } from '../support/model-version.js';
import { ServiceProcess, waitForHttp, waitForOutput } from '../support/processes.js';
import { REDIS_URL, deleteKeysUnder, freePort, keysUnder, testNamespace } from '../support/redis.js';
import { waitUntil } from '../support/wait.js';

const IN_FLIGHT = 10;

describe('SIGTERM to the gateway: it stops accepting, and finishes what it accepted', () => {
  const namespace = testNamespace();
  const env = { REDIS_URL, CACHE_PREFIX: namespace.cachePrefix, QUEUE_PREFIX: namespace.queuePrefix };
  const started: ServiceProcess[] = [];

  afterAll(async () => {
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
    const redis = new Redis(REDIS_URL);
    await deleteKeysUnder(redis, `${namespace.cachePrefix}:`);
    await deleteKeysUnder(redis, namespace.queuePrefix);
    redis.disconnect();
  });

  it('requests waiting at SIGTERM all get 202 and their job, which a later worker scores; new connections are refused; exit code 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = ServiceProcess.start('api/main.js', { ...env, PORT: String(port), SYNC_WAIT_MS: '8000' });
    started.push(api);
    await waitForHttp(`${base}/healthz`);

    // No worker yet: these misses are in flight, waiting on their jobs.
    const inFlight = Array.from({ length: IN_FLIGHT }, (_, i) =>
      fetch(`${base}/scores`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(applicantNumber(i)),
      }),
    );
    await waitForOutput(api, /gateway listening/);
    // SIGTERM only once every request is accepted: all of its applicants are in queued jobs.
    const queueRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(SCORE_QUEUE, { connection: queueRedis, prefix: namespace.queuePrefix });
    await waitUntil(
      `${IN_FLIGHT} applicants in queued jobs`,
      async () => {
        const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
        return jobs.reduce((sum, job) => sum + (job.data as { count: number }).count, 0) === IN_FLIGHT;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    await queue.close();
    queueRedis.disconnect();
    api.child.kill('SIGTERM');
    await waitForOutput(api, /shutting down/);
    // A new connection is refused (a kept-alive one would still be served, with Connection: close).
    const fresh = new Promise((resolve, reject) =>
      get(`${base}/healthz`, { agent: false }, resolve).on('error', reject),
    );
    await expect(fresh).rejects.toThrow(/ECONNREFUSED/);

    const responses = await Promise.all(inFlight);
    expect(responses.map((r) => r.status)).toEqual(Array(IN_FLIGHT).fill(202));
    expect((await api.exited).code).toBe(0);
    expect(api.output).toContain('shut down cleanly');

    // The work went on: a worker started after the gateway left scores every job it accepted.
    const worker = ServiceProcess.start('worker/main.js', env);
    started.push(worker);
    const { version } = readModelManifest(SHIPPED_MANIFEST_PATH);
    const redis = new Redis(REDIS_URL);
    try {
      await expect
        .poll(async () => (await keysUnder(redis, `${namespace.cachePrefix}:${version}:`)).length, { timeout: 15_000 })
        .toBe(IN_FLIGHT);
    } finally {
      redis.disconnect();
    }
  });
});
