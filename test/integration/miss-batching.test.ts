import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Applicant } from '../../shared/applicant.js';
import { applicantCode } from '../../shared/keys.js';
import type { Score } from '../../shared/score.js';
import { loadModel } from '../../worker/scoring-worker.js';
import type { ScoringModel } from '../../worker/credit-model.js';
import { applicantNumber } from '../support/applicants.js';
import { Stack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';
import { expectedAnswer, readOracleManifest } from '../oracle/manifest-scorer.js';

const manifest = readOracleManifest();

/**
 * The real model, except that it cannot score one age: a stand-in for an applicant that breaks a run.
 * `runs` records the applicants of every call, so a test can see which applicants shared a run.
 */
function modelThatBreaksOn(model: ScoringModel, badAge: number): ScoringModel & { runs: Applicant[][] } {
  const runs: Applicant[][] = [];
  return {
    runs,
    version: model.version,
    score: (applicants) => {
      runs.push([...applicants]);
      return applicants.some((a) => a.age_in_years === badAge)
        ? Promise.reject(new Error(`cannot score age ${badAge}`))
        : model.score(applicants);
    },
  };
}

/** The oracle's answers (manifest coefficients and thresholds), the fields a score must have. */
function expectOracleAnswers(answers: readonly Score[], applicants: readonly Applicant[]): void {
  expect(answers).toHaveLength(applicants.length);
  answers.forEach((answer, i) => {
    const expected = expectedAnswer(manifest, applicants[i]!);
    expect([answer.decision, answer.risk_category, answer.model_version], `applicant ${i}`).toEqual([
      expected.decision,
      expected.risk_category,
      expected.model_version,
    ]);
    expect(Math.abs(answer.probability - expected.probability), `applicant ${i}`).toBeLessThanOrEqual(0.5e-6 + 1e-12);
  });
}

describe('misses gathered into batches before the queue (MISS_BATCH_WAIT_MS, MISS_BATCH_MAX)', () => {
  let stack: Stack;
  let model: ScoringModel;
  let breaking: ReturnType<typeof modelThatBreaksOn>;
  let next = 0;
  const freshApplicants = (n: number) => Array.from({ length: n }, () => applicantNumber(next++));
  const BAD_AGE = 117;

  beforeAll(async () => {
    stack = await Stack.start({ MISS_BATCH_WAIT_MS: '20', MISS_BATCH_MAX: '16' });
    model = await loadModel(stack.config);
    breaking = modelThatBreaksOn(model, BAD_AGE);
    await stack.startWorker(breaking);
  });
  afterAll(() => stack.stop());

  it('40 concurrent single misses: fewer jobs than applicants, and each caller gets its own answer', async () => {
    const applicants = freshApplicants(40).filter((a) => a.age_in_years !== BAD_AGE);
    const before = { jobs: stack.modelRuns, scored: stack.applicantsScored };
    const responses = await Promise.all(applicants.map((a) => stack.post('/scores', a)));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Score[];

    expect(responses.map((r) => r.status)).toEqual(applicants.map(() => 200));
    expectOracleAnswers(bodies, applicants);
    expect(stack.applicantsScored - before.scored).toBe(applicants.length);
    const jobs = stack.modelRuns - before.jobs;
    expect(jobs).toBeLessThan(applicants.length);
    expect(jobs).toBeGreaterThanOrEqual(Math.ceil(applicants.length / 16));
  });

  it('a job carries the applicants meaningfully for Bull Board: name with count and request, sealed items, model version', async () => {
    const applicants = freshApplicants(5);
    await Promise.all(applicants.map((a) => stack.post('/scores', a)));
    const holder = await stack.redis.get(stack.keys.claim(stack.gateway.modelVersion, stack.publicId(applicants[0]!)));
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
    const runsBefore = breaking.runs.length;
    const responses = await Promise.all(all.map((a) => stack.post('/probabilities', a)));
    const statuses = responses.map((r) => r.status);

    // The bad applicant was in a run with good ones (else isolation was never put to the test).
    const withBad = breaking.runs.slice(runsBefore).filter((run) => run.some((a) => a.age_in_years === BAD_AGE));
    expect(withBad.some((run) => run.length > 1)).toBe(true);
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
    expectOracleAnswers(results, applicants);
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
    const locations = accepted.map((r) => r.headers.get('location'));
    expect(locations.every((location) => location?.startsWith('/jobs/'))).toBe(true);
    for (const location of locations) {
      await waitUntil(
        `${location} to complete`,
        async () => (await stack.get<{ status: string }>(location!)).body.status === 'completed',
        { timeoutMs: 30_000, intervalMs: 50 },
      );
    }
  });
});
