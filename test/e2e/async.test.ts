import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { ServiceProcess, waitForHttp, waitForOutput } from '../support/processes.js';
import { REDIS_URL, deleteKeysUnder, freePort, testNamespace } from '../support/redis.js';

describe('the built processes degrade to polling when no worker answers, and catch up when one starts', () => {
  const namespace = testNamespace();
  const env: Record<string, string> = {
    REDIS_URL,
    CACHE_PREFIX: namespace.cachePrefix,
    QUEUE_PREFIX: namespace.queuePrefix,
  };
  let api: ServiceProcess;
  let worker: ServiceProcess | undefined;
  let base: string;
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const statusOf = async (location: string) =>
    ((await (await fetch(`${base}${location}`)).json()) as { status: string }).status;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = ServiceProcess.start('api/main.js', { ...env, PORT: String(port), SYNC_WAIT_MS: '300' });
    await waitForHttp(`${base}/healthz`);
  });

  afterAll(async () => {
    await Promise.all([api.stop('SIGKILL'), worker?.stop('SIGKILL')]);
    const redis = new Redis(REDIS_URL);
    await deleteKeysUnder(redis, `${namespace.cachePrefix}:`);
    await deleteKeysUnder(redis, namespace.queuePrefix);
    redis.disconnect();
  });

  it('sync call with no worker -> 202; async batch -> 202; a worker process starts -> both complete', async () => {
    const sync = await post('/risk_categories', EXAMPLE_APPLICANT);
    expect(sync.status).toBe(202);
    const batch = await post('/jobs', { applicants: [applicantNumber(1), applicantNumber(2), applicantNumber(1)] });
    expect(batch.status).toBe(202);
    const locations = [sync.headers.get('location')!, batch.headers.get('location')!];
    expect(await statusOf(locations[0]!)).toBe('queued');
    expect(await statusOf(locations[1]!)).toBe('queued');

    worker = ServiceProcess.start('worker/main.js', env);
    await waitForOutput(worker, /worker ready/);
    for (const location of locations) {
      await expect.poll(() => statusOf(location), { timeout: 5000, interval: 50 }).toBe('completed');
    }
    const { result } = (await (await fetch(`${base}${locations[1]}`)).json()) as { result: unknown[] };
    expect(result).toHaveLength(3);
    expect(result[0]).toEqual(result[2]);
    expect((await post('/risk_categories', EXAMPLE_APPLICANT)).headers.get('x-cache')).toBe('HIT');
  });
});
