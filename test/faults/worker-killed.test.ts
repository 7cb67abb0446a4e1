import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import type { Score } from '../../shared/score.js';
import { loadModel } from '../../worker/scoring-worker.js';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { reportFigures } from '../support/figures.js';
import { send } from '../support/http-load.js';
import { troubleLines } from '../support/log-scan.js';
import { REDIS_URL } from '../support/redis.js';
import { ServiceFleet } from '../support/service-fleet.js';
import { waitUntil } from '../support/wait.js';

const BATCH_SIZE = 1000;
/**
 * The first worker's model answers its first run, then hangs: once a job has completed and others
 * are active, the kill finds jobs in the worker's hands whose answers are not written, and only
 * stalled-job recovery can answer them. (Its JOB_TIMEOUT_MS is long, so nothing fails before the kill;
 * the config wants SHUTDOWN_TIMEOUT_MS above it.)
 */
const FIRST_WORKER_ENV = { JOB_TIMEOUT_MS: '60000', SHUTDOWN_TIMEOUT_MS: '61000' };
/**
 * The ceiling of the wait for the batch, on top of the lock + stalled-interval bound: starting the
 * second worker (model load), scoring the rest, polling, and a busy 2-core machine shared with other
 * test runs. Generous: the test waits on the condition, and only a recovery that never comes fails it.
 */
const CEILING_SLACK_MS = 60_000;

interface JobPoll {
  status?: string;
  result?: Score[];
}

describe('fault: a worker process SIGKILLed in the middle of a batch of 1,000 accepted applicants', () => {
  // The shipped defaults: a dead worker's lock lapses after WORKER_LOCK_MS, and live workers look
  // for such jobs every WORKER_STALLED_INTERVAL_MS.
  const { WORKER_LOCK_MS, WORKER_STALLED_INTERVAL_MS } = loadConfig({});
  const fleet = new ServiceFleet(REDIS_URL);
  afterAll(() => fleet.stop());

  it('worker SIGKILL with jobs in hand -> a new worker completes the batch through stalled-job recovery: every cached answer and the batch poll equal the model, nothing failed', async () => {
    // Arrange: 1,000 accepted applicants, and a worker working on them.
    const { base } = await fleet.startGateway();
    const model = await loadModel(loadConfig({}));
    const applicants = distinctApplicants(0, BATCH_SIZE);
    const submitted = await send({ label: 'submit', url: `${base}/jobs`, body: { applicants }, budgetMs: 15_000 });
    expect(submitted.status).toBe(202);
    const location = submitted.headers!.get('location')!;
    const poll = async () =>
      (await send({ label: 'poll', url: `${base}${location}`, budgetMs: 5000 })).body as JobPoll | undefined;
    const first = await fleet.startSlowWorker(1, 'hang', FIRST_WORKER_ENV);
    await fleet.untilJobsInHand();

    // Act: SIGKILL (no drain, no goodbye), then a new worker.
    await first.stop('SIGKILL');
    const killedAt = performance.now();
    const cachedAtKill = await fleet.cachedCount(model.version);
    const lockedByTheDead = await fleet.queue.getActiveCount();
    const statusAtKill = (await poll())?.status;
    const second = await fleet.startWorker();
    const secondReadyAt = performance.now();
    const done = await waitUntil(
      'the batch poll to complete',
      async () => {
        const body = await poll();
        return body?.status === 'completed' && body;
      },
      { timeoutMs: WORKER_LOCK_MS + WORKER_STALLED_INTERVAL_MS + CEILING_SLACK_MS, intervalMs: 50 },
    );
    const recoveryMs = performance.now() - killedAt;
    await fleet.untilQueueIdle(30_000);

    // Assert: the kill landed mid-batch, with jobs locked by the dead worker.
    expect(cachedAtKill).toBeGreaterThan(0);
    expect(cachedAtKill).toBeLessThan(BATCH_SIZE);
    expect(lockedByTheDead).toBeGreaterThan(0);
    expect(statusAtKill).toMatch(/^(queued|active)$/);
    expect(first.output).not.toContain('job failed');

    // Every applicant answered once in effect: the model's own answer, in the poll and in the cache.
    const expected = await model.score(applicants);
    expect(done.result).toEqual(expected);
    expect(await fleet.cachedAnswers(applicants, model.version)).toEqual(expected);
    expect(await fleet.cachedCount(model.version)).toBe(BATCH_SIZE);

    // The dead worker's jobs came back through stalled-job recovery, and nothing failed or is left.
    const completed = await fleet.queue.getJobs(['completed']);
    const stalledOnce = completed.filter((job) => job.stalledCounter === 1).length;
    expect(stalledOnce).toBe(lockedByTheDead);
    expect(completed.filter((job) => job.stalledCounter > 1)).toEqual([]);
    expect(await fleet.queue.getJobCounts('active', 'waiting', 'delayed', 'failed')).toMatchObject({
      active: 0,
      waiting: 0,
      delayed: 0,
      failed: 0,
    });
    expect(troubleLines(second.output)).toEqual([]);

    reportFigures('worker SIGKILL mid-batch', {
      applicants: BATCH_SIZE,
      answersCachedAtKill: cachedAtKill,
      jobsLockedByTheDeadWorker: lockedByTheDead,
      killToSecondWorkerReadyMs: Math.round(secondReadyAt - killedAt),
      killToBatchCompletedMs: Math.round(recoveryMs),
      lockPlusStalledIntervalMs: WORKER_LOCK_MS + WORKER_STALLED_INTERVAL_MS,
    });
  }, 180_000);
});
