import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { applicantCode } from '../../shared/keys.js';
import { readModelManifest } from '../../shared/model-manifest.js';
import { PublicIds } from '../../shared/public-id.js';
import { SCORE_QUEUE } from '../../shared/queues.js';
import { deriveKey } from '../../shared/secrets.js';
import { applicantNumber } from '../support/applicants.js';
import { reportFigures } from '../support/figures.js';
import { SHIPPED_MANIFEST_PATH } from '../support/model-version.js';
import { ServiceProcess, TEST_PROCESS_ENV, waitForHttp, waitForOutput } from '../support/processes.js';
import { REDIS_URL, deleteKeysUnder, freePort, testNamespace } from '../support/redis.js';

/** The longest wait the config allows, just under the drain budget (the rule SYNC_WAIT_MAX_MS < SHUTDOWN_TIMEOUT_MS). */
const SYNC_WAIT_MAX_MS = 29_000;
const SHUTDOWN_TIMEOUT_MS = 30_000;

describe('attack: a client asks for the longest wait, then the gateway is deployed (issue 10, item 5)', () => {
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

  it('no worker, a miss with Prefer: wait=30, SIGTERM -> the client gets 202 + Location at once (not when its wait ends), the job stays queued, exit 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = ServiceProcess.start('api/main.js', {
      ...env,
      PORT: String(port),
      SYNC_WAIT_MAX_MS: String(SYNC_WAIT_MAX_MS),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    started.push(api);
    await waitForHttp(`${base}/healthz`);
    const applicant = applicantNumber(7);
    const answer = fetch(`${base}/scores`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'wait=30' },
      body: JSON.stringify(applicant),
    });
    const queue = new Queue(SCORE_QUEUE, { connection: { url: REDIS_URL }, prefix: namespace.queuePrefix });
    try {
      await expect.poll(() => queue.getJobCounts('waiting').then((c) => c.waiting), { timeout: 10_000 }).toBe(1);

      const signalledAt = performance.now();
      api.child.kill('SIGTERM');
      const response = await answer;
      const answeredAfterMs = performance.now() - signalledAt;
      const exit = await api.exited;
      reportFigures('SIGTERM with a wait=30 miss', {
        status: response.status,
        answeredAfterMs: Math.round(answeredAfterMs),
        exitAfterMs: Math.round(performance.now() - signalledAt),
        exitCode: exit.code ?? 'none',
      });

      // The applicant's own job: its opaque id, made under the processes' shared secret.
      const { version } = readModelManifest(SHIPPED_MANIFEST_PATH);
      const ids = new PublicIds(deriveKey(TEST_PROCESS_ENV.SERVICE_SECRET, 'public-id'));
      expect(response.status).toBe(202);
      expect(response.headers.get('location')).toBe(`/jobs/${ids.forApplicant(version, applicantCode(applicant))}`);
      expect(response.headers.get('retry-after')).toBe('1');
      // Generous: half the wait the client asked for (the wait itself would end at 29 s).
      expect(answeredAfterMs).toBeLessThan(SYNC_WAIT_MAX_MS / 2);
      expect(exit).toEqual({ code: 0, signal: null });
      await waitForOutput(api, /shut down cleanly/, 1000);
      // The work goes on: the job is still there for a worker to take.
      expect((await queue.getJobCounts('waiting')).waiting).toBe(1);
    } finally {
      await queue.close();
    }
  }, 60_000);
});
