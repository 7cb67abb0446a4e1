import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_APPLICANT } from '../support/applicants.js';
import { ServiceProcess, waitForHttp, waitForOutput } from '../support/processes.js';
import { REDIS_URL, deleteKeysUnder, freePort, testNamespace } from '../support/redis.js';

const post = (base: string, path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('the built service as separate processes: node dist/api/main.js + node dist/worker/main.js', () => {
  const { cachePrefix, queuePrefix } = testNamespace();
  let api: ServiceProcess;
  let worker: ServiceProcess;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    const env = { PORT: String(port), REDIS_URL, CACHE_PREFIX: cachePrefix, QUEUE_PREFIX: queuePrefix };
    api = ServiceProcess.start('api/main.js', env);
    worker = ServiceProcess.start('worker/main.js', env);
    base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`);
    await waitForOutput(worker, /worker ready/);
  });

  afterAll(async () => {
    await Promise.all([api.stop('SIGKILL'), worker.stop('SIGKILL')]);
    const redis = new Redis(REDIS_URL);
    await deleteKeysUnder(redis, `${cachePrefix}:`);
    await deleteKeysUnder(redis, queuePrefix);
    redis.disconnect();
  });

  it('the example applicant: MISS then HIT on all three endpoints, with the model version', async () => {
    const first = await post(base, '/decisions', EXAMPLE_APPLICANT);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const version = first.headers.get('x-model-version');
    expect(version).toMatch(/^[0-9a-f]{8}$/);

    const answers: Record<string, unknown> = { ...((await first.json()) as object) };
    for (const path of ['/decisions', '/probabilities', '/risk_categories']) {
      const response = await post(base, path, EXAMPLE_APPLICANT);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-cache')).toBe('HIT');
      expect(response.headers.get('x-model-version')).toBe(version);
      Object.assign(answers, await response.json());
    }
    expect(Object.keys(answers).sort()).toEqual(['decision', 'probability', 'risk_category']);
  });

  it('logs carry no applicant data at info level', () => {
    expect(api.output + worker.output).not.toContain('male: single');
  });

  it('SIGTERM: both processes shut down cleanly with exit code 0', async () => {
    const [apiExit, workerExit] = await Promise.all([api.stop(), worker.stop()]);
    expect(apiExit.code).toBe(0);
    expect(workerExit.code).toBe(0);
    expect(api.output).toContain('shut down cleanly');
  });
});
