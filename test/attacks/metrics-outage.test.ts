import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFigures } from '../support/figures.js';
import { RedisServer } from '../support/redis-server.js';
import { Stack } from '../support/stack.js';

const AUTH = `Basic ${Buffer.from('operator:correct-horse-battery').toString('base64')}`;
/** How long Redis stops answering, as in the reproduction. */
const PAUSE_MS = 4000;

describe('attack: Redis stalls and the operators lose every metric (issue 10, item 7)', () => {
  let redis: RedisServer;
  let stack: Stack;

  beforeAll(async () => {
    redis = await RedisServer.start();
    stack = await Stack.start({
      REDIS_URL: redis.url,
      ADMIN_USER: 'operator',
      ADMIN_PASSWORD: 'correct-horse-battery',
    });
  });
  afterAll(async () => {
    await stack.stop();
    await redis.dispose();
  });

  const scrape = () => fetch(`${stack.url}/metrics`, { headers: { authorization: AUTH } });

  it('before: /metrics serves the queue gauges', async () => {
    const response = await scrape();
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^scoring_queue_jobs\{state="waiting"\} 0$/m);
  });

  it(`CLIENT PAUSE ${PAUSE_MS} -> /metrics still answers 200 with the process and HTTP metrics, without queue gauges, before the pause ends`, async () => {
    const admin = redis.client();
    try {
      await admin.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');
      const startedAt = performance.now();
      const response = await scrape();
      const body = await response.text();
      const elapsedMs = performance.now() - startedAt;

      reportFigures('/metrics during CLIENT PAUSE', { status: response.status, ms: Math.round(elapsedMs) });
      expect(response.status).toBe(200);
      expect(body).toContain('process_cpu_seconds_total');
      expect(body).toContain('http_request_duration_seconds_count');
      expect(body).not.toMatch(/^scoring_queue_jobs\{/m);
      // Generous: the pause itself; a scrape that waited on Redis would last at least that long.
      expect(elapsedMs).toBeLessThan(PAUSE_MS);
    } finally {
      admin.disconnect();
    }
  });

  it('after the pause: the queue gauges are back', async () => {
    await expect
      .poll(async () => (await (await scrape()).text()).match(/^scoring_queue_jobs\{state="waiting"\} 0$/m) !== null, {
        timeout: PAUSE_MS + 5000,
        interval: 250,
      })
      .toBe(true);
  });
});
