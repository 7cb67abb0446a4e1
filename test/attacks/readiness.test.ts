import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFigures } from '../support/figures.js';
import { RedisServer } from '../support/redis-server.js';
import { Stack } from '../support/stack.js';

const AUTH = `Basic ${Buffer.from('operator:correct-horse-battery').toString('base64')}`;
const CALLS = 50;

/** Calls of one command since the last CONFIG RESETSTAT, from INFO commandstats (0 when never called). */
async function commandCalls(redis: RedisServer, command: string): Promise<number> {
  const client = redis.client();
  try {
    const info = await client.info('commandstats');
    const line = info.split('\r\n').find((l) => l.startsWith(`cmdstat_${command}:`));
    return line ? Number(/calls=(\d+)/.exec(line)![1]) : 0;
  } finally {
    client.disconnect();
  }
}

describe('attack: hammer /readyz, and read what it says (issue 10, item 9)', () => {
  // A Redis of this test's own: INFO commandstats then counts this gateway's commands alone.
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

  it('not ready (no worker): the public gets 503 "not ready" and nothing of the reason; an operator with credentials gets it', async () => {
    const response = await fetch(`${stack.url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 503, code: 'NOT_READY' });
    expect(body).not.toHaveProperty('detail');
    expect(JSON.stringify(body)).not.toMatch(/redis|worker|queue|ECONN|timeout/i);

    const operator = await fetch(`${stack.url}/readyz`, { headers: { authorization: AUTH } });
    expect(operator.status).toBe(503);
    expect(await operator.json()).toMatchObject({ detail: 'no worker is connected to the queue' });
  });

  it(`${CALLS} calls in a row -> CLIENT LIST about once a second, not once per call (INFO commandstats)`, async () => {
    await stack.startWorker();
    // The verdict may be the cached "no worker" one for up to a second.
    await expect.poll(async () => (await fetch(`${stack.url}/readyz`)).status, { timeout: 5000 }).toBe(200);
    const client = redis.client();
    await client.config('RESETSTAT');
    client.disconnect();

    const startedAt = performance.now();
    const answers: Array<{ status: number; body: unknown }> = [];
    for (let i = 0; i < CALLS; i++) {
      const response = await fetch(`${stack.url}/readyz`);
      answers.push({ status: response.status, body: await response.json() });
    }
    const elapsedS = (performance.now() - startedAt) / 1000;
    const clientListCalls = await commandCalls(redis, 'client|list');
    reportFigures('/readyz hammered', { calls: CALLS, seconds: Number(elapsedS.toFixed(2)), clientListCalls });

    // One check per started second of the run, plus one for a check already under way at the start.
    expect(clientListCalls).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
    expect(clientListCalls).toBeLessThan(CALLS);
    expect(answers).toEqual(Array(CALLS).fill({ status: 200, body: { status: 'ready' } }));
  });
});
