import { describe, expect, it } from 'vitest';
import { AnswerWaiter } from '../../api/scoring/answer-waiter.js';
import type { Score } from '../../shared/score.js';

/** A made-up answer: the waiter passes answers through, it never reads them. */
const SCORE = { decision: 'ACCEPT', probability: 0.1, risk_category: 'LOW', model_version: 'v1' } as unknown as Score;

describe('AnswerWaiter: waits by applicant, failures by job', () => {
  it('a completed job settles every wait for its applicants, whichever job each was bound to', async () => {
    const waiter = new AnswerWaiter();
    const first = waiter.wait('a', 5_000);
    const second = waiter.wait('a', 5_000);
    first.bind('job-1');
    second.bind('job-2');
    waiter.jobCompleted([{ id: 'a', score: SCORE }]);
    expect(await Promise.all([first.result, second.result])).toEqual([
      { kind: 'scored', score: SCORE },
      { kind: 'scored', score: SCORE },
    ]);
    expect(second.joined).toBe(true);
    expect(waiter.waitingFor).toBe(0);
  });

  it('a failed job fails only the waits bound to it; a wait on another job, or on none yet, stands', async () => {
    const waiter = new AnswerWaiter();
    const onFailed = waiter.wait('a', 5_000);
    const onNewJob = waiter.wait('a', 5_000);
    const unbound = waiter.wait('b', 5_000);
    onFailed.bind('job-1');
    onNewJob.bind('job-2');
    waiter.jobFailed('job-1', 'model exploded');
    expect(await onFailed.result).toEqual({ kind: 'failed', reason: 'model exploded' });
    expect(waiter.waitingFor).toBe(2);
    waiter.jobCompleted([
      { id: 'a', score: SCORE },
      { id: 'b', error: 'cannot score' },
    ]);
    expect(await onNewJob.result).toEqual({ kind: 'scored', score: SCORE });
    expect(await unbound.result).toEqual({ kind: 'failed', reason: 'cannot score' });
  });

  it('a wait nobody answers ends undefined at its deadline; a later failure of its job finds nothing', async () => {
    const waiter = new AnswerWaiter();
    const wait = waiter.wait('a', 5);
    wait.bind('job-1');
    expect(await wait.result).toBeUndefined();
    waiter.jobFailed('job-1', 'late');
    expect(waiter.waitingFor).toBe(0);
  });

  it('releaseAll: every wait, and every later one, ends undefined at once', async () => {
    const waiter = new AnswerWaiter();
    const before = waiter.wait('a', 60_000);
    waiter.releaseAll();
    expect(await before.result).toBeUndefined();
    expect(await waiter.wait('b', 60_000).result).toBeUndefined();
  });
});
