import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceProcess, waitForHttp, waitForOutput } from '../support/processes.js';
import { REDIS_URL, deleteKeysUnder, freePort, testNamespace } from '../support/redis.js';
import { waitUntil } from '../support/wait.js';

const REQUESTS = 100;

/** Write system calls so far (the kernel's `syscw`), of the process's main thread and of all its other threads. */
function writeCalls(pid: number): { main: number; others: number } {
  const calls = { main: 0, others: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const io = readFileSync(`/proc/${pid}/task/${tid}/io`, 'utf8');
    const syscw = Number(/^syscw:\s+(\d+)$/m.exec(io)?.[1]);
    if (Number(tid) === pid) calls.main += syscw;
    else calls.others += syscw;
  }
  return calls;
}

describe('the gateway writes its log lines on the event loop thread (node dist/api/main.js)', () => {
  const { cachePrefix, queuePrefix } = testNamespace();
  let api: ServiceProcess;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    api = ServiceProcess.start('api/main.js', {
      PORT: String(port),
      REDIS_URL,
      CACHE_PREFIX: cachePrefix,
      QUEUE_PREFIX: queuePrefix,
    });
    base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`);
    await waitForOutput(api, /gateway listening/);
  });

  afterAll(async () => {
    await api.stop('SIGKILL');
    const redis = new Redis(REDIS_URL);
    await deleteKeysUnder(redis, `${cachePrefix}:`);
    await deleteKeysUnder(redis, queuePrefix);
    redis.disconnect();
  });

  it(`${REQUESTS} requests logged at info: their lines are written by the main thread, none handed to another`, async () => {
    const pid = api.child.pid!;
    const lines = () => api.output.split('\n').filter((line) => line.includes('"statusCode":422')).length;
    const before = writeCalls(pid);
    // A 422 is logged at info, as a miss is, and needs no worker.
    for (let i = 0; i < REQUESTS; i++) {
      const response = await fetch(`${base}/scores`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(422);
    }
    await waitUntil('every line in the output', () => lines() === REQUESTS);
    const after = writeCalls(pid);

    // pino's default destination hands each line to a libuv pool thread, which writes it and then signals
    // the event loop: two writes there per line (200 for these requests before this change).
    expect(after.others - before.others).toBeLessThan(REQUESTS / 10);
    // Each request's answer and its log line.
    expect(after.main - before.main).toBeGreaterThanOrEqual(2 * REQUESTS);
  });
});
