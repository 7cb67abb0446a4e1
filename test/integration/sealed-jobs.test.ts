import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, startScoringWorker, type ScoringWorker } from '../../worker/scoring-worker.js';
import { applicantNumber } from '../support/applicants.js';
import { Stack } from '../support/stack.js';

describe('a worker with another SERVICE_SECRET cannot open the jobs', () => {
  let stack: Stack;
  let stranger: ScoringWorker;
  let attempts = 0;

  beforeAll(async () => {
    stack = await Stack.start({ JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '10', SYNC_WAIT_MS: '5000' });
    const config = { ...stack.config, SERVICE_SECRET: 'a-different-secret-of-at-least-32-characters' };
    stranger = await startScoringWorker(config, pino({ level: 'silent' }), await loadModel(config));
    stranger.worker.on('failed', () => (attempts += 1));
  });
  afterAll(async () => {
    await stranger.close();
    await stack.stop();
  });

  it('the job fails at once, without retries (it never could succeed), and the client gets 502; nothing is cached', async () => {
    const response = await stack.post('/scores', applicantNumber(400));
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ code: 'SCORING_FAILED' });
    expect(attempts).toBe(1);
    expect(await stack.answerKeys()).toEqual([]);
  });
});
