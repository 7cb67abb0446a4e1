import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { Stack } from '../support/stack.js';

describe('backpressure: more than MAX_QUEUE_DEPTH waiting jobs', () => {
  let stack: Stack;

  beforeAll(async () => {
    // No worker at first: jobs pile up.
    stack = await Stack.start({ MAX_QUEUE_DEPTH: '3' });
  });
  afterAll(() => stack.stop());

  it('new misses get 503 + Retry-After while the queue is too deep; hits are still served', async () => {
    await stack.startWorker();
    await stack.post('/scores', EXAMPLE_APPLICANT);
    await stack.stopWorkers();

    for (let i = 0; i < 4; i++) {
      expect((await stack.post('/jobs', { applicant: applicantNumber(i) })).status).toBe(202);
    }
    expect(await stack.gateway.queue.getWaitingCount()).toBe(4);
    // The depth is sampled at most every 100 ms.
    await new Promise((resolve) => setTimeout(resolve, 150));

    const refused = await stack.post('/jobs', { applicant: applicantNumber(10) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { code: string }).code).toBe('QUEUE_FULL');
    expect(await stack.gateway.queue.getWaitingCount()).toBe(4);

    const hit = await stack.post('/decisions', EXAMPLE_APPLICANT);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-cache')).toBe('HIT');
  });
});
