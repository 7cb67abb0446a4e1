import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicantNumber } from '../support/applicants.js';
import { HTTP_LANES } from '../support/lanes.js';
import { Stack } from '../support/stack.js';

const LIMIT = 3;

describe.each(HTTP_LANES)('per-client limit on misses, counted in Redis ($lane)', ({ env }) => {
  let stack: Stack;
  let next = 0;
  const freshApplicant = () => applicantNumber(next++);

  beforeAll(async () => {
    stack = await Stack.start({ ...env, RATE_LIMIT_MISSES: String(LIMIT), TRUST_PROXY_HOPS: '1' });
    await stack.startWorker();
  });
  afterAll(() => stack.stop());

  it('past RATE_LIMIT_MISSES: 429 problem+json with Retry-After, and nothing queued; hits are still served', async () => {
    const client = { 'x-forwarded-for': '198.51.100.1' };
    const answered = [freshApplicant(), freshApplicant(), freshApplicant()];
    for (const applicant of answered) expect((await stack.post('/scores', applicant, client)).status).toBe(200);
    const jobsBefore = await stack.jobCount();

    const refused = await stack.post('/scores', freshApplicant(), client);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(await stack.jobCount()).toBe(jobsBefore);

    const hit = await stack.post('/decisions', answered[0], client);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect((await stack.post('/jobs', { applicants: [freshApplicant()] }, client)).status).toBe(429);
  });

  it('each client has its own budget (the address the trusted proxy saw)', async () => {
    const other = { 'x-forwarded-for': '198.51.100.2' };
    expect((await stack.post('/probabilities', freshApplicant(), other)).status).toBe(200);
  });
});
