import { afterEach, describe, expect, it } from 'vitest';
import type { Applicant } from '../../shared/applicant.js';
import type { Score } from '../../shared/score.js';
import type { ScoringModel } from '../../worker/credit-model.js';
import { loadModel } from '../../worker/scoring-worker.js';
import { applicantNumber } from '../support/applicants.js';
import { reportFigures } from '../support/figures.js';
import { keysUnder } from '../support/redis.js';
import { Stack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

const JOB_TIMEOUT_MS = 200;
const JOB_ATTEMPTS = 3;
/** "Never a hang": a generous ceiling for waits on a busy 2-core machine, far below any client's patience. */
const CEILING_MS = 30_000;
/** A synchronous wait no test here should reach: answers must come from the job, not the wait. */
const LONG_SYNC_WAIT_MS = '60000';
/** Well past JOB_TIMEOUT_MS: the first run of the slow model overruns for certain. */
const SLOW_RUN_MS = 3 * JOB_TIMEOUT_MS;

/** The real model behind a delay on its first `slowCalls` calls; counts calls and finished slow runs. */
class SlowFirstModel implements ScoringModel {
  calls = 0;
  lateRunsFinished = 0;

  constructor(
    private readonly real: ScoringModel,
    private readonly slowCalls: number,
  ) {}

  get version(): string {
    return this.real.version;
  }

  async score(applicants: readonly Applicant[]): Promise<Score[]> {
    this.calls += 1;
    if (this.calls > this.slowCalls) return this.real.score(applicants);
    await new Promise((resolve) => setTimeout(resolve, SLOW_RUN_MS));
    const late = await this.real.score(applicants);
    this.lateRunsFinished += 1;
    return late;
  }
}

/** A model whose runs never finish (a wedged native call); counts calls. */
class HangingModel implements ScoringModel {
  calls = 0;

  constructor(readonly version: string) {}

  score(): Promise<Score[]> {
    this.calls += 1;
    return new Promise<Score[]>(() => undefined);
  }
}

/** Cached answers of one model version (not batch records or other bookkeeping under the prefix). */
const cachedAnswerKeys = (stack: Stack, modelVersion: string) =>
  keysUnder(stack.redis, stack.keys.score(modelVersion, ''));

const stacks: Stack[] = [];
async function startStack(env: Record<string, string>): Promise<Stack> {
  const stack = await Stack.start({
    JOB_TIMEOUT_MS: String(JOB_TIMEOUT_MS),
    JOB_ATTEMPTS: String(JOB_ATTEMPTS),
    JOB_BACKOFF_MS: '10',
    ...env,
  });
  stacks.push(stack);
  return stack;
}

describe('fault: a model run that is slow or never returns', { timeout: 90_000 }, () => {
  afterEach(async () => {
    for (const stack of stacks.splice(0)) await stack.stop();
  });

  it('model slower than JOB_TIMEOUT_MS on its first call -> attempt 1 fails with the timeout, a later attempt succeeds, the client gets 200 with the real answer', async () => {
    const stack = await startStack({ SYNC_WAIT_MS: LONG_SYNC_WAIT_MS });
    const real = await loadModel(stack.config);
    const model = new SlowFirstModel(real, 1);
    const { worker } = await stack.startWorker(model);
    const failures: string[] = [];
    worker.on('failed', (_job, err) => failures.push(err.message));
    const applicant = applicantNumber(11);

    const started = performance.now();
    const response = await stack.post('/scores', applicant);
    const elapsedMs = performance.now() - started;

    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('MISS');
    const [expected] = await real.score([applicant]);
    expect(await response.json()).toEqual(expected);
    // A stalled real run on a busy machine may time out too: 2 calls at least, one per attempt at most,
    // every failure the timeout, and the last attempt the one that answered.
    const callsAtAnswer = model.calls;
    expect(callsAtAnswer).toBeGreaterThanOrEqual(2);
    expect(callsAtAnswer).toBeLessThanOrEqual(JOB_ATTEMPTS);
    expect(failures).toEqual(Array(callsAtAnswer - 1).fill(`the model did not answer within ${JOB_TIMEOUT_MS} ms`));
    expect(await stack.gateway.queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed')).toMatchObject(
      {
        completed: 1,
        failed: 0,
        active: 0,
        waiting: 0,
        delayed: 0,
      },
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(JOB_TIMEOUT_MS);

    // The abandoned run's late answer is dropped: the cache holds one entry, the right one.
    await waitUntil('the abandoned slow run to finish', () => model.lateRunsFinished === 1, { timeoutMs: CEILING_MS });
    expect(await cachedAnswerKeys(stack, real.version)).toHaveLength(1);
    const again = await stack.post('/scores', applicant);
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(await again.json()).toEqual(expected);
    expect(model.calls).toBe(callsAtAnswer);
    reportFigures('slow first model run', { modelCalls: model.calls, syncAnswerMs: Math.round(elapsedMs) });
  });

  it('model that always hangs, default wait -> 202 after SYNC_WAIT_MS, then the job reports failed with the timeout reason after JOB_ATTEMPTS tries', async () => {
    const stack = await startStack({ SYNC_WAIT_MS: '300' });
    const model = new HangingModel(stack.gateway.modelVersion);
    await stack.startWorker(model);
    const applicant = applicantNumber(12);

    const started = performance.now();
    const response = await stack.post('/decisions', applicant);
    const acceptedMs = performance.now() - started;

    expect(response.status).toBe(202);
    expect(acceptedMs).toBeGreaterThanOrEqual(300);
    const location = response.headers.get('location')!;
    const poll = async () => (await stack.get<{ status: string; error?: string }>(location)).body;
    const failed = await waitUntil(
      'the job to fail',
      async () => {
        const body = await poll();
        return body.status === 'failed' && body;
      },
      { timeoutMs: CEILING_MS },
    );
    const failedMs = performance.now() - started;
    expect(failed.error).toBe(`the model did not answer within ${JOB_TIMEOUT_MS} ms`);
    expect(model.calls).toBe(JOB_ATTEMPTS);
    expect(await stack.gateway.queue.getJobCounts('failed', 'active', 'waiting', 'delayed')).toMatchObject({
      failed: 1,
      active: 0,
      waiting: 0,
      delayed: 0,
    });
    expect(await cachedAnswerKeys(stack, model.version)).toEqual([]);

    // The hung runs were abandoned, so nothing holds the worker open.
    const closeStarted = performance.now();
    await stack.stopWorkers();
    const closeMs = performance.now() - closeStarted;
    expect(closeMs).toBeLessThan(CEILING_MS);
    reportFigures('hanging model, default wait', {
      acceptedMs: Math.round(acceptedMs),
      failedAfterMs: Math.round(failedMs),
      workerCloseMs: Math.round(closeMs),
    });
  });

  it('model that always hangs, Prefer: wait=30 -> 502 SCORING_FAILED with the timeout reason, well inside the wait', async () => {
    const stack = await startStack({ SYNC_WAIT_MS: '300' });
    const model = new HangingModel(stack.gateway.modelVersion);
    await stack.startWorker(model);

    const started = performance.now();
    const response = await stack.post('/probabilities', applicantNumber(13), { prefer: 'wait=30' });
    const elapsedMs = performance.now() - started;

    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as { code: string; title: string };
    expect(body.code).toBe('SCORING_FAILED');
    expect(body.title).toBe(`Scoring failed: the model did not answer within ${JOB_TIMEOUT_MS} ms`);
    expect(model.calls).toBe(JOB_ATTEMPTS);
    // A 502 rather than a 202 shows the failure came inside the wait.
    expect(elapsedMs).toBeGreaterThanOrEqual(JOB_ATTEMPTS * JOB_TIMEOUT_MS);
    expect(await cachedAnswerKeys(stack, model.version)).toEqual([]);
    reportFigures('hanging model, Prefer: wait=30', { answer502Ms: Math.round(elapsedMs) });
  });

  it('model that always hangs, a batch with Prefer: wait=30 -> 502 naming the applicant, never a hang', async () => {
    const stack = await startStack({ SYNC_WAIT_MS: '300' });
    const model = new HangingModel(stack.gateway.modelVersion);
    await stack.startWorker(model);

    const started = performance.now();
    const response = await stack.post('/scores/batch', { applicants: [applicantNumber(14)] }, { prefer: 'wait=30' });
    const elapsedMs = performance.now() - started;

    expect(response.status).toBe(502);
    const body = (await response.json()) as { code: string; title: string };
    expect(body.code).toBe('SCORING_FAILED');
    expect(body.title).toBe(`Scoring failed: applicant 0: the model did not answer within ${JOB_TIMEOUT_MS} ms`);
    expect(model.calls).toBe(JOB_ATTEMPTS);
    expect(elapsedMs).toBeGreaterThanOrEqual(JOB_ATTEMPTS * JOB_TIMEOUT_MS);
    expect(await cachedAnswerKeys(stack, model.version)).toEqual([]);
  });
});
