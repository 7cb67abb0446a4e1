import { afterEach, describe, expect, it } from 'vitest';
import type { Applicant } from '../../shared/applicant.js';
import { loadConfig } from '../../shared/config.js';
import { applicantCode } from '../../shared/keys.js';
import { PublicIds } from '../../shared/public-id.js';
import type { Score } from '../../shared/score.js';
import { deriveKey } from '../../shared/secrets.js';
import { loadModel } from '../../worker/scoring-worker.js';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { reportFigures } from '../support/figures.js';
import { LoadLoop, send, tally } from '../support/http-load.js';
import { troubleLines } from '../support/log-scan.js';
import { REDIS_URL } from '../support/redis.js';
import { ServiceFleet } from '../support/service-fleet.js';
import { waitUntil } from '../support/wait.js';

const HIT_APPLICANTS = 10;
const WAITING_MISSES = 10;
const BATCH_SIZE = 1000;
/**
 * The draining worker's model answers its first run at once and takes this much longer per run after
 * it: SIGTERM, sent once a job has completed and others are active, finds jobs in its hands whose
 * answers are not written yet.
 */
const SLOW_MODEL_MS = 300;

interface JobPoll {
  status?: string;
  result?: Score[];
}

/** The fleet's secret, so the test can name applicants as the service does (ids are opaque without it). */
const SERVICE_SECRET = 'deploy-sigterm-test-secret-0123456789abcdef';
const ids = new PublicIds(deriveKey(SERVICE_SECRET, 'public-id'));
/** The public id a client polls for one applicant. */
const publicId = (modelVersion: string, applicant: Applicant) =>
  ids.forApplicant(modelVersion, applicantCode(applicant));

describe('fault: deploys send SIGTERM to the gateway and the worker under load', () => {
  const fleets: ServiceFleet[] = [];
  afterEach(async () => {
    for (const fleet of fleets.splice(0)) await fleet.stop();
  });

  it('gateway SIGTERM under keep-alive load -> requests sent before the signal answered 200, later ones answered or refused (never reset), waiting misses answered 202 with their job at once and scored by a worker started after the signal, exit 0 by itself', async () => {
    // Arrange: cached hits (scored by a first worker, which then leaves), ten synchronous misses
    // waiting in the gateway with no worker to answer them, and a stream of hits on keep-alive connections.
    const fleet = new ServiceFleet(REDIS_URL, { SYNC_WAIT_MS: '8000', SERVICE_SECRET });
    fleets.push(fleet);
    const model = await loadModel(loadConfig({}));
    const { api, base } = await fleet.startGateway();
    const warmer = await fleet.startWorker();
    const [hits, missApplicants] = [distinctApplicants(0, HIT_APPLICANTS), distinctApplicants(100, WAITING_MISSES)];
    for (const applicant of hits) {
      expect((await send({ label: 'warm', url: `${base}/scores`, body: applicant, budgetMs: 5000 })).status).toBe(200);
    }
    expect(await warmer.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    const misses = missApplicants.map((applicant) =>
      send({ label: 'miss', url: `${base}/scores`, body: applicant, budgetMs: 15_000 }),
    );
    const pollStatus = async (applicant: Applicant) =>
      (
        (await send({ label: 'poll', url: `${base}/jobs/${publicId(model.version, applicant)}`, budgetMs: 5000 }))
          .body as JobPoll | undefined
      )?.status;
    await waitUntil('every waiting miss to be queued', async () =>
      (await Promise.all(missApplicants.map(pollStatus))).every((status) => status === 'queued'),
    );
    const hitLoad = new LoadLoop(
      (i) => ({ label: 'hit', url: `${base}/decisions`, body: hits[i % HIT_APPLICANTS], budgetMs: 5000 }),
      { virtualUsers: 3, maxRequests: 20_000, maxMs: 20_000 },
    );
    await waitUntil('hits to be flowing', () => hitLoad.count >= 100);

    // Act: the deploy's SIGTERM, then a new worker comes up (as a rolling deploy would).
    const signalledAt = performance.now();
    api.child.kill('SIGTERM');
    await fleet.startWorker();
    const missOutcomes = await Promise.all(misses);
    const apiExit = await api.exited;
    const drainMs = performance.now() - signalledAt;
    const hitOutcomes = await hitLoad.stop();

    // Assert: nothing sent before the signal was dropped, and the drain ended by itself.
    const before = hitOutcomes.filter((o) => o.startedAt < signalledAt);
    const after = hitOutcomes.filter((o) => o.startedAt >= signalledAt);
    reportFigures('gateway SIGTERM under load', {
      hitsSentBeforeSignal: before.length,
      hitsSentBeforeSignalNot200: before.filter((o) => o.status !== 200).length,
      waitingMissesAnswered202: missOutcomes.filter((o) => o.status === 202).length,
      exitCode: apiExit.code ?? 'none',
      drainMs: Math.round(drainMs),
      hitsSentAfterSignal: after.length,
      hitsSentAfterSignalOutcomes: JSON.stringify(tally(after)),
    });
    expect(before.length).toBeGreaterThanOrEqual(100);
    expect(before.filter((o) => o.status !== 200)).toEqual([]);
    // After it: answered on a connection already open (which the answer then closes), or refused as
    // a new connection (a client or load balancer goes to another replica), never reset mid-request.
    expect(after.filter((o) => o.status !== 200 && o.error !== 'ECONNREFUSED')).toEqual([]);
    // Waiting misses are not held until a worker answers (issue 10): 202 with their job, which goes on.
    missOutcomes.forEach((miss, i) => {
      expect(miss).toMatchObject({ status: 202 });
      expect(miss.headers?.get('location')).toBe(`/jobs/${publicId(model.version, missApplicants[i]!)}`);
    });
    await fleet.untilQueueIdle();
    expect(await fleet.cachedAnswers(missApplicants, model.version)).toEqual(await model.score(missApplicants));
    expect(apiExit).toEqual({ code: 0, signal: null });
    expect(api.output).toContain('shut down cleanly');
    expect(troubleLines(api.output)).toEqual([]);
  }, 60_000);

  it('worker SIGTERM mid-batch -> the jobs in hand finish and are cached, none is left locked, exit 0; a new worker completes the batch without stalled-job recovery', async () => {
    // Arrange: 1,000 accepted applicants and a worker working through them.
    const fleet = new ServiceFleet(REDIS_URL);
    fleets.push(fleet);
    const model = await loadModel(loadConfig({}));
    const { base } = await fleet.startGateway();
    const applicants = distinctApplicants(0, BATCH_SIZE);
    const submitted = await send({ label: 'submit', url: `${base}/jobs`, body: { applicants }, budgetMs: 15_000 });
    expect(submitted.status).toBe(202);
    const location = submitted.headers!.get('location')!;
    const first = await fleet.startSlowWorker(1, SLOW_MODEL_MS);
    await fleet.untilJobsInHand();

    // Act: SIGTERM while jobs are active.
    const activeAtSignal = await fleet.queue.getActiveCount();
    const cachedAtSignal = await fleet.cachedCount(model.version);
    const signalledAt = performance.now();
    first.child.kill('SIGTERM');
    const firstExit = await first.exited;
    const drainMs = performance.now() - signalledAt;
    const afterExit = await fleet.queue.getJobCounts('active', 'failed');
    const cachedAfterExit = await fleet.cachedCount(model.version);
    const second = await fleet.startWorker();
    const secondReadyAt = performance.now();
    const done = await waitUntil(
      'the batch poll to complete',
      async () => {
        const body = (await send({ label: 'poll', url: `${base}${location}`, budgetMs: 5000 })).body as JobPoll;
        return body.status === 'completed' && body;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    const secondMs = performance.now() - secondReadyAt;
    await fleet.untilQueueIdle();

    // Assert: the signal found jobs in hand; the worker finished them (their answers are cached),
    // left none locked or failed, and exited cleanly with the rest of the batch still waiting.
    expect(activeAtSignal).toBeGreaterThan(0);
    expect(firstExit).toEqual({ code: 0, signal: null });
    expect(first.output).toContain('shut down cleanly');
    expect(troubleLines(first.output)).toEqual([]);
    expect(afterExit).toMatchObject({ active: 0, failed: 0 });
    expect(cachedAfterExit).toBeGreaterThan(cachedAtSignal);
    expect(cachedAfterExit).toBeLessThan(BATCH_SIZE);

    // The new worker finished the rest: every answer is the model's, no job needed stalled-job recovery.
    expect(done.result).toEqual(await model.score(applicants));
    const completed = await fleet.queue.getJobs(['completed']);
    expect(completed.filter((job) => job.stalledCounter > 0)).toEqual([]);
    expect(await fleet.queue.getJobCounts('active', 'waiting', 'delayed', 'failed')).toMatchObject({
      active: 0,
      waiting: 0,
      delayed: 0,
      failed: 0,
    });
    expect(troubleLines(second.output)).toEqual([]);
    reportFigures('worker SIGTERM mid-batch', {
      jobsActiveAtSignal: activeAtSignal,
      answersCachedAtSignal: cachedAtSignal,
      answersCachedAtExit: cachedAfterExit,
      drainMs: Math.round(drainMs),
      secondWorkerFinishesRestMs: Math.round(secondMs),
    });
  }, 60_000);
});
