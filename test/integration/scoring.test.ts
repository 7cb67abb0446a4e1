import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { HTTP_LANES } from '../support/lanes.js';
import { Stack } from '../support/stack.js';
import { expectedAnswer, readOracleManifest } from '../oracle/manifest-scorer.js';

const SEED_ENDPOINTS = ['/decisions', '/probabilities', '/risk_categories'] as const;
/** README.md's worked example: `A` answers DECLINE, 0.377148, HIGH. */
const README_ANSWER = { decision: 'DECLINE', probability: 0.377148, risk_category: 'HIGH' };
const manifest = readOracleManifest();

describe.each(HTTP_LANES)('scoring over a real Redis, queue and model ($lane)', ({ env }) => {
  let stack: Stack;
  let next = 0;
  /** A question no earlier test in this file asked. */
  const freshApplicant = () => applicantNumber(next++);

  beforeAll(async () => {
    stack = await Stack.start({ ...env, SYNC_WAIT_MS: '5000' });
    await stack.startWorker();
  });
  afterAll(() => stack.stop());
  afterEach(() => {
    stack.modelRuns = 0;
  });

  it('the example applicant: MISS on the first call, HIT on the next, on all three endpoints', async () => {
    const first = await stack.post('/decisions', EXAMPLE_APPLICANT);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('cache-status')).toBe('credit-scoring; fwd=miss; stored');
    expect(first.headers.get('x-model-version')).toBe(stack.gateway.modelVersion);
    expect(await first.json()).toEqual({ decision: README_ANSWER.decision });

    const answers: Record<string, unknown> = {};
    for (const path of SEED_ENDPOINTS) {
      const again = await stack.post(path, EXAMPLE_APPLICANT);
      expect(again.status).toBe(200);
      expect(again.headers.get('x-cache')).toBe('HIT');
      expect(again.headers.get('cache-status')).toBe('credit-scoring; hit');
      expect(again.headers.get('x-model-version')).toBe(stack.gateway.modelVersion);
      Object.assign(answers, await again.json());
    }
    expect(answers).toEqual(README_ANSWER);
    expect(stack.modelRuns).toBe(1);
  });

  it("the README's applicant on /scores: DECLINE, 0.377148, HIGH and model/manifest.json's version, as the README shows", async () => {
    const response = await stack.post('/scores', EXAMPLE_APPLICANT);

    expect(response.status).toBe(200);
    expect(response.headers.get('x-model-version')).toBe(manifest.version);
    const body = (await response.json()) as Record<string, unknown>;
    // Fields only: other fields (reasons, expected cost) may join the answer.
    expect(body.decision).toBe(README_ANSWER.decision);
    expect(body.probability).toBe(README_ANSWER.probability);
    expect(body.risk_category).toBe(README_ANSWER.risk_category);
    expect(body.model_version).toBe(manifest.version);
    // The README's numbers are the manifest's: the oracle agrees with them.
    const oracle = expectedAnswer(manifest, EXAMPLE_APPLICANT);
    expect([oracle.decision, oracle.probability.toFixed(6), oracle.risk_category]).toEqual([
      'DECLINE',
      '0.377148',
      'HIGH',
    ]);
  });

  it('one model run fills all three endpoints, each with its own answer', async () => {
    const applicant = freshApplicant();
    const probability = await stack.post('/probabilities', applicant);
    expect(probability.headers.get('x-cache')).toBe('MISS');
    const expected = expectedAnswer(manifest, applicant);
    const { probability: p } = (await probability.json()) as { probability: number };
    expect(Math.abs(p - expected.probability)).toBeLessThanOrEqual(0.5e-6 + 1e-12);

    const decision = await stack.post('/decisions', applicant);
    const risk = await stack.post('/risk_categories', applicant);
    expect([decision.headers.get('x-cache'), risk.headers.get('x-cache')]).toEqual(['HIT', 'HIT']);
    expect(await decision.json()).toEqual({ decision: expected.decision });
    expect(await risk.json()).toEqual({ risk_category: expected.risk_category });
    expect(stack.modelRuns).toBe(1);
  });

  it('a miss writes one hash with all answers, the model version and a TTL within the jittered range', async () => {
    const applicant = freshApplicant();
    await stack.post('/decisions', applicant);
    const key = stack.keys.score(stack.gateway.modelVersion, stack.publicId(applicant));
    const hash = await stack.redis.hgetall(key);
    expect(Object.keys(hash).sort()).toEqual(['d', 'p', 'r', 'v']);
    expect(hash.v).toBe(stack.gateway.modelVersion);
    const ttl = await stack.redis.ttl(key);
    const { CACHE_TTL_SECONDS, CACHE_TTL_JITTER_SECONDS } = stack.config;
    expect(ttl).toBeGreaterThan(CACHE_TTL_SECONDS - 5);
    expect(ttl).toBeLessThanOrEqual(CACHE_TTL_SECONDS + CACHE_TTL_JITTER_SECONDS);
  });

  it('50 identical concurrent misses -> one model run, and all 50 get the same answer', async () => {
    const applicant = freshApplicant();
    const responses = await Promise.all(Array.from({ length: 50 }, () => stack.post('/probabilities', applicant)));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(stack.modelRuns).toBe(1);
  });

  it('an expired answer is scored again even though its completed job is still kept', async () => {
    const applicant = freshApplicant();
    await stack.post('/decisions', applicant);
    const key = stack.keys.score(stack.gateway.modelVersion, stack.publicId(applicant));
    await stack.redis.del(key);

    const again = await stack.post('/decisions', applicant);
    expect(again.status).toBe(200);
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect(await stack.redis.exists(key)).toBe(1);
    expect(stack.modelRuns).toBe(2);
  });

  it('"female: single", unseen in training, is scored as the manifest says (coefficient 0)', async () => {
    const applicant = { ...freshApplicant(), personal_status_and_sex: 'female: single' as const };
    const response = await stack.post('/risk_categories', applicant);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ risk_category: expectedAnswer(manifest, applicant).risk_category });
  });
});
