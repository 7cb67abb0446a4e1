import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Applicant } from '../../shared/applicant.js';
import { loadConfig } from '../../shared/config.js';
import type { Score } from '../../shared/score.js';
import { loadModel } from '../../worker/scoring-worker.js';
import { distinctApplicant, distinctApplicants } from '../support/distinct-applicants.js';
import { reportFigures } from '../support/figures.js';
import { LoadLoop, send, tally, type Outcome, type RequestSpec } from '../support/http-load.js';
import { troubleLines } from '../support/log-scan.js';
import type { ServiceProcess } from '../support/processes.js';
import { RedisServer } from '../support/redis-server.js';
import { ServiceFleet } from '../support/service-fleet.js';
import { waitUntil } from '../support/wait.js';

const SYNC_WAIT_MS = 1000;
/**
 * The client gives up after this: a generous ceiling on a busy 2-core machine. That the gateway does
 * not hang while Redis is down is shown by conditions instead: answers that arrive before the restart.
 */
const REQUEST_BUDGET_MS = SYNC_WAIT_MS + 15_000;
/** Ceiling for each wait on a condition (recovery, the backlog, the jobs accepted before the crash). */
const CONDITION_CEILING_MS = 30_000;
/** Long enough for the clients' reconnect backoff to grow well past its first steps. */
const OUTAGE_MS = 2500;
/** Async jobs the load must have had accepted while the worker is paused, so some are queued at the crash. */
const ASYNC_WHILE_PAUSED = 3;
/** AOF `appendfsync everysec` may lose the last second of writes on a crash; past this, a write is on disk. */
const AOF_FSYNC_WINDOW_MS = 1100;
const HIT_APPLICANTS = 10;
const BACKLOG = 50;

/** Applicants for the load's misses: 100..2999, clear of the hits (0..9) and the backlog (3000..3049). */
const LOAD_FROM = 100;
const LOAD_RANGE = 2900;
let loadCount = 0;
/** A new question for the load (after 2,900 of them the range starts over, and those are hits). */
const newApplicant = (): Applicant => distinctApplicant(LOAD_FROM + (loadCount++ % LOAD_RANGE));

describe('fault: Redis (AOF everysec, as compose runs it) is SIGKILLed under load and restarted on the same port and dir', () => {
  let redis: RedisServer;
  let fleet: ServiceFleet;
  let api: ServiceProcess;
  let worker: ServiceProcess;
  let base: string;

  beforeAll(async () => {
    redis = await RedisServer.start({ appendOnly: true, maxmemoryPolicy: 'noeviction' });
    fleet = new ServiceFleet(redis.url, { SYNC_WAIT_MS: String(SYNC_WAIT_MS) });
    ({ api, base } = await fleet.startGateway());
    worker = await fleet.startWorker();
  });
  afterAll(async () => {
    await fleet.stop();
    await redis.dispose();
  });

  it('503s while down (answered before Redis is back: problem+json, no 500, no hang, no crash), 200 again after the restart, the worker resumes, and async jobs still queued at the crash are answered', async () => {
    // Arrange: cached answers to serve as hits, then a steady mix of sync hits, sync misses and async jobs.
    const hits = distinctApplicants(0, HIT_APPLICANTS);
    for (const applicant of hits) {
      expect((await send({ label: 'warm', url: `${base}/scores`, body: applicant, budgetMs: 5000 })).status).toBe(200);
    }
    const request = (i: number): RequestSpec => {
      const kind = i % 4;
      if (kind <= 1)
        return {
          label: 'sync-hit',
          url: `${base}/decisions`,
          body: hits[i % HIT_APPLICANTS],
          budgetMs: REQUEST_BUDGET_MS,
        };
      if (kind === 2)
        return { label: 'sync-miss', url: `${base}/scores`, body: newApplicant(), budgetMs: REQUEST_BUDGET_MS };
      return { label: 'async', url: `${base}/jobs`, body: { applicant: newApplicant() }, budgetMs: REQUEST_BUDGET_MS };
    };
    const load = new LoadLoop(request, { virtualUsers: 4, maxRequests: 20_000, maxMs: 25_000 });
    await waitUntil('load to be under way', () => load.count >= 40);

    // A backlog the worker has not touched at the crash: the worker is paused (SIGSTOP) while it is
    // accepted, and the crash waits until it is past AOF's one-second fsync window.
    worker.child.kill('SIGSTOP');
    const pausedAt = performance.now();
    await waitUntil(
      `${ASYNC_WHILE_PAUSED} async jobs accepted while the worker is paused`,
      () =>
        load.outcomes.filter((o) => o.label === 'async' && o.status === 202 && o.startedAt >= pausedAt).length >=
        ASYNC_WHILE_PAUSED,
      { timeoutMs: CONDITION_CEILING_MS },
    );
    const backlog = distinctApplicants(3000, BACKLOG);
    const accepted = await send({
      label: 'backlog',
      url: `${base}/jobs`,
      body: { applicants: backlog },
      budgetMs: 5000,
    });
    expect(accepted.status).toBe(202);
    const backlogId = (accepted.body as { id: string }).id;
    const acceptedAt = performance.now();
    await waitUntil(
      'the backlog to pass the AOF fsync window',
      () => performance.now() - acceptedAt >= AOF_FSYNC_WINDOW_MS,
    );

    // Untouched at the crash: nothing of the backlog is answered, and its poll says queued.
    const model = await loadModel(loadConfig({}));
    expect((await fleet.cachedAnswers(backlog, model.version)).filter(Boolean)).toEqual([]);
    const backlogAtCrash = await send({ label: 'poll', url: `${base}/jobs/${backlogId}`, budgetMs: REQUEST_BUDGET_MS });
    expect(backlogAtCrash.body).toMatchObject({ status: 'queued' });
    // The load's async jobs still queued just before the crash: only these prove the queue survived it.
    const asyncAccepted = load.outcomes.filter((o) => o.label === 'async' && o.status === 202);
    const pollsBeforeCrash = await Promise.all(
      asyncAccepted.map((o) =>
        send({ label: 'poll', url: `${base}${o.headers!.get('location')!}`, budgetMs: REQUEST_BUDGET_MS }),
      ),
    );
    const queuedBeforeCrash = asyncAccepted.filter(
      (_, i) => (pollsBeforeCrash[i]!.body as { status?: string } | undefined)?.status === 'queued',
    );

    // Act: crash Redis (SIGKILL: no last fsync), let the worker run again into the outage.
    await redis.stop('SIGKILL');
    const crashedAt = performance.now();
    worker.child.kill('SIGCONT');

    const probes: RequestSpec[] = [
      { label: 'probe', url: `${base}/decisions`, body: hits[0], budgetMs: REQUEST_BUDGET_MS },
      { label: 'probe', url: `${base}/probabilities`, body: newApplicant(), budgetMs: REQUEST_BUDGET_MS },
      { label: 'probe', url: `${base}/risk_categories`, body: newApplicant(), budgetMs: REQUEST_BUDGET_MS },
      { label: 'probe', url: `${base}/scores`, body: newApplicant(), budgetMs: REQUEST_BUDGET_MS },
      {
        label: 'probe',
        url: `${base}/scores/batch`,
        body: { applicants: [hits[1], newApplicant()] },
        budgetMs: REQUEST_BUDGET_MS,
      },
      { label: 'probe', url: `${base}/jobs`, body: { applicant: newApplicant() }, budgetMs: REQUEST_BUDGET_MS },
      { label: 'probe', url: `${base}/jobs/${backlogId}`, budgetMs: REQUEST_BUDGET_MS },
    ];
    const probed: Outcome[] = [];
    for (const probe of probes) probed.push(await send(probe));
    await waitUntil(
      `an outage of ${OUTAGE_MS} ms with 40 requests of the load answered in it`,
      () =>
        performance.now() - crashedAt >= OUTAGE_MS &&
        load.outcomes.filter((o) => o.startedAt >= crashedAt).length >= 40,
      { timeoutMs: CONDITION_CEILING_MS },
    );
    const sentWhileDown = load.outcomes.filter((o) => o.startedAt >= crashedAt);

    const restartCalledAt = performance.now();
    await redis.restart();
    const restartedAt = performance.now();
    await waitUntil(
      'a 200 from the gateway after the restart',
      async () =>
        (await send({ label: 'back', url: `${base}/decisions`, body: hits[2], budgetMs: REQUEST_BUDGET_MS })).status ===
        200,
      { timeoutMs: CONDITION_CEILING_MS, intervalMs: 25 },
    );
    const recoveryMs = performance.now() - restartedAt;

    const freshMiss = newApplicant();
    await waitUntil(
      'a new miss to be scored after the restart',
      async () =>
        (await send({ label: 'fresh', url: `${base}/scores`, body: freshMiss, budgetMs: REQUEST_BUDGET_MS })).status ===
        200,
      { timeoutMs: CONDITION_CEILING_MS, intervalMs: 50 },
    );
    const workerResumeMs = performance.now() - restartedAt;

    const backlogPoll = await waitUntil(
      'the backlog batch to complete',
      async () => {
        const poll = await send({ label: 'poll', url: `${base}/jobs/${backlogId}`, budgetMs: REQUEST_BUDGET_MS });
        return (
          (poll.body as { status?: string } | undefined)?.status === 'completed' && (poll.body as { result: Score[] })
        );
      },
      { timeoutMs: CONDITION_CEILING_MS, intervalMs: 50 },
    );
    const backlogDoneMs = performance.now() - restartedAt;

    // Async jobs still queued at the crash and accepted outside the fsync window: every one is answered.
    const durableAsync = queuedBeforeCrash.filter((o) => o.startedAt + o.ms <= crashedAt - AOF_FSYNC_WINDOW_MS);
    const asyncStatuses = await waitUntil(
      'every async job queued at the crash to complete',
      async () => {
        const polls = await Promise.all(
          durableAsync.map((o) =>
            send({ label: 'poll', url: `${base}${o.headers!.get('location')!}`, budgetMs: REQUEST_BUDGET_MS }),
          ),
        );
        const statuses = polls.map((p) => (p.body as { status?: string } | undefined)?.status);
        return statuses.every((s) => s === 'completed') && statuses;
      },
      { timeoutMs: CONDITION_CEILING_MS, intervalMs: 100 },
    );
    const outcomes = await load.stop();

    // Assert: while down, 503 problem+json on every endpoint, answered before Redis came back (a
    // gateway that queued commands or waited for the worker would answer only after the restart).
    expect(probed).toHaveLength(probes.length);
    for (const probe of probed) {
      expect(probe).toMatchObject({ status: 503, code: 'REDIS_UNAVAILABLE' });
      expect(probe.contentType).toMatch(/^application\/problem\+json/);
      expect(probe.headers?.get('retry-after')).toBe('1');
      expect(probe.startedAt + probe.ms).toBeLessThan(restartCalledAt);
    }
    const answeredWhileDown = sentWhileDown.filter((o) => o.startedAt + o.ms < restartCalledAt);
    expect(answeredWhileDown.length).toBeGreaterThanOrEqual(20);
    expect(answeredWhileDown.filter((o) => o.status !== 503)).toEqual([]);

    // Over the whole run: every request answered within its budget, no 500 (nor any 5xx but 503), no socket error.
    const counts = tally(outcomes);
    expect(outcomes.filter((o) => o.status === undefined)).toEqual([]);
    expect(outcomes.filter((o) => o.status! >= 500 && o.status !== 503)).toEqual([]);
    expect(outcomes.filter((o) => o.status === 503 && o.code !== 'REDIS_UNAVAILABLE')).toEqual([]);
    expect(counts['503']).toBeGreaterThan(0);

    // Back (the waits above), the worker consuming by itself, nothing queued at the crash lost.
    expect(backlogPoll.result).toEqual(await model.score(backlog));
    expect(await fleet.cachedAnswers(backlog, model.version)).toEqual(await model.score(backlog));
    expect(durableAsync.length).toBeGreaterThan(0);
    expect(asyncStatuses).toHaveLength(durableAsync.length);

    // Neither process crashed or logged an error; both still shut down cleanly.
    expect(api.isRunning).toBe(true);
    expect(worker.isRunning).toBe(true);
    expect(troubleLines(api.output)).toEqual([]);
    expect(troubleLines(worker.output)).toEqual([]);
    const [apiExit, workerExit] = await Promise.all([api.stop('SIGTERM'), worker.stop('SIGTERM')]);
    expect(apiExit).toEqual({ code: 0, signal: null });
    expect(workerExit).toEqual({ code: 0, signal: null });

    reportFigures('Redis SIGKILL + restart under load', {
      requests: outcomes.length,
      status200: counts['200'] ?? 0,
      status202: counts['202'] ?? 0,
      status503: counts['503'] ?? 0,
      status500: counts['500'] ?? 0,
      socketErrorsOrTimeouts: outcomes.filter((o) => o.status === undefined).length,
      max503Ms: Math.round(Math.max(...outcomes.filter((o) => o.status === 503).map((o) => o.ms))),
      maxProbeMs: Math.round(Math.max(...probed.map((o) => o.ms))),
      outageMs: Math.round(restartedAt - crashedAt),
      gateway200AfterRestartMs: Math.round(recoveryMs),
      newMissScoredAfterRestartMs: Math.round(workerResumeMs),
      backlogCompletedAfterRestartMs: Math.round(backlogDoneMs),
      asyncQueuedAtCrashAnswered: durableAsync.length,
    });
  }, 240_000);
});
