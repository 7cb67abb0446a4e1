import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Applicant } from '../../shared/applicant.js';
import { claimKey, applicantCode } from '../../shared/keys.js';
import type { Score } from '../../shared/score.js';
import { loadModel } from '../../worker/scoring-worker.js';
import type { ScoringModel } from '../../worker/credit-model.js';
import { applicantNumber } from '../support/applicants.js';
import { Stack } from '../support/stack.js';

/** The real model, except that it cannot score one age: a stand-in for an applicant that breaks a run. */
function modelThatBreaksOn(model: ScoringModel, badAge: number): ScoringModel {
  return {
    version: model.version,
    score: (applicants) =>
      applicants.some((a) => a.age_in_years === badAge)
        ? Promise.reject(new Error(`cannot score age ${badAge}`))
        : model.score(applicants),
  };
}

describe('misses gathered into batches before the queue (MISS_BATCH_WAIT_MS, MISS_BATCH_MAX)', () => {
  let stack: Stack;
  let model: ScoringModel;
  let next = 0;
  const freshApplicants = (n: number) => Array.from({ length: n }, () => applicantNumber(next++));
  const BAD_AGE = 117;

  beforeAll(async () => {
    stack = await Stack.start({ MISS_BATCH_WAIT_MS: '20', MISS_BATCH_MAX: '16' });
    model = await loadModel(stack.config);
    await stack.startWorker(modelThatBreaksOn(model, BAD_AGE));
  });
  afterAll(() => stack.stop());

  it('40 concurrent single misses: fewer jobs than applicants, and each caller gets its own answer', async () => {
    const applicants = freshApplicants(40).filter((a) => a.age_in_years !== BAD_AGE);
    const before = { jobs: stack.modelRuns, scored: stack.applicantsScored };
    const responses = await Promise.all(applicants.map((a) => stack.post('/scores', a)));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Score[];

    expect(responses.map((r) => r.status)).toEqual(applicants.map(() => 200));
    expect(bodies).toEqual(await model.score(applicants));
    expect(stack.applicantsScored - before.scored).toBe(applicants.length);
    const jobs = stack.modelRuns - before.jobs;
    expect(jobs).toBeLessThan(applicants.length);
    expect(jobs).toBeGreaterThanOrEqual(Math.ceil(applicants.length / 16));
  });

  it('a job carries the applicants meaningfully for Bull Board: name with count and request, sealed items, model version', async () => {
    const applicants = freshApplicants(5);
    await Promise.all(applicants.map((a) => stack.post('/scores', a)));
    const holder = await stack.redis.get(
      claimKey(stack.config.CACHE_PREFIX, stack.gateway.modelVersion, stack.publicId(applicants[0]!)),
    );
    const job = await stack.gateway.queue.getJob(holder!);
    // The name says how many and for which request, nothing about a person; the applicants are sealed.
    expect(job?.name).toMatch(/^score \d+ applicants? · req [0-9a-f-]{36}( \(\+\d+\))?$/);
    expect(job?.name).not.toContain(applicantCode(applicants[0]!));
    expect(job?.data.modelVersion).toBe(stack.gateway.modelVersion);
    expect(job?.data.count).toBe(stack.jobItems(job!.data).length);
    expect(stack.jobItems(job!.data).map((item) => item.id)).toContain(stack.publicId(applicants[0]!));
    expect(job?.returnvalue.modelMs).toBeGreaterThan(0);
  });

  it('per-item failure isolation: the applicant the model cannot score gets 502, the others in its batch get 200', async () => {
    const good = freshApplicants(12).filter((a) => a.age_in_years !== BAD_AGE);
    const bad: Applicant = { ...applicantNumber(next++), age_in_years: BAD_AGE };
    const all = [...good.slice(0, 6), bad, ...good.slice(6)];
    const responses = await Promise.all(all.map((a) => stack.post('/probabilities', a)));
    const statuses = responses.map((r) => r.status);
    expect(statuses[6]).toBe(502);
    expect(await responses[6]!.json()).toMatchObject({
      code: 'SCORING_FAILED',
      title: `Scoring failed: cannot score age ${BAD_AGE}`,
    });
    expect(statuses.filter((_, i) => i !== 6)).toEqual(good.map(() => 200));
  });

  it('a batch request bigger than MISS_BATCH_MAX is split into jobs of at most MISS_BATCH_MAX, results in request order', async () => {
    const applicants = freshApplicants(50).filter((a) => a.age_in_years !== BAD_AGE);
    const before = stack.modelRuns;
    const response = await stack.post('/scores/batch', { applicants });
    expect(response.status).toBe(200);
    const { results } = (await response.json()) as { results: Score[] };
    expect(results).toEqual(await model.score(applicants));
    expect(stack.modelRuns - before).toBe(Math.ceil(applicants.length / 16));
  });

  it('coalescing across gateway replicas: 60 concurrent identical new applicants over two gateways -> one applicant scored', async () => {
    const peer = await stack.startPeerGateway();
    const [applicant] = freshApplicants(1);
    const before = stack.applicantsScored;
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        fetch(`${i % 2 === 0 ? stack.url : peer.url}/decisions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(applicant),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    const decisions = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as Score).decision)));
    expect(decisions.size).toBe(1);
    expect(stack.applicantsScored - before).toBe(1);
  });

  it('a gateway closed right after its 202s: the misses it accepted are answered all the same', async () => {
    const applicants = freshApplicants(3);
    const peer = await stack.startPeerGateway();
    // POST /jobs answers 202 once the misses are accepted (claimed and queued); closing right after must not drop them.
    const accepted = await Promise.all(
      applicants.map((a) =>
        fetch(`${peer.url}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ applicant: a }),
        }),
      ),
    );
    expect(accepted.map((r) => r.status)).toEqual([202, 202, 202]);
    await peer.gateway.close();
    for (const applicant of applicants) {
      const id = stack.publicId(applicant);
      let status = '';
      for (let i = 0; i < 100 && status !== 'completed'; i++) {
        status = (await stack.get<{ status: string }>(`/jobs/${id}`)).body.status;
        if (status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe('completed');
    }
  });
});
