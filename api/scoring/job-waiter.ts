import type { QueueEvents } from 'bullmq';
import { ScoreJobResult } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import { ScoringFailed } from '../errors.js';

interface Pending {
  resolve: (score: Score | undefined) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A registered wait for one job: `result` is the job's answer, `undefined` when the job is still
 * running at the deadline, or a rejection with ScoringFailed. `cancel` drops the wait when the
 * answer turned up another way.
 */
export interface JobWait {
  result: Promise<Score | undefined>;
  /** Another request of this process was already waiting on the same job: this one coalesced. */
  joined: boolean;
  cancel: () => void;
}

/**
 * One QueueEvents subscription per gateway process, fanned out to every request waiting on a job.
 * BullMQ's `waitUntilFinished` per request opens a listener each and can hang when a finished job is
 * removed; here a request registers *before* the job is added, so no completion can slip past, and
 * every wait has a timeout.
 */
export class JobWaiter {
  private readonly pending = new Map<string, Set<Pending>>();

  constructor(events: QueueEvents) {
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, (p) => this.complete(p, returnvalue)));
    events.on('failed', ({ jobId, failedReason }) =>
      this.settle(jobId, (p) => p.reject(new ScoringFailed(failedReason))),
    );
  }

  /** Jobs some request is waiting on right now (a gauge for metrics and tests). */
  get waitingJobs(): number {
    return this.pending.size;
  }

  wait(jobId: string, timeoutMs: number): JobWait {
    let entry!: Pending;
    const result = new Promise<Score | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.drop(jobId, entry);
        resolve(undefined);
      }, timeoutMs);
      entry = { resolve, reject, timer };
    });
    const joined = this.pending.has(jobId);
    const waiters = this.pending.get(jobId) ?? new Set<Pending>();
    waiters.add(entry);
    this.pending.set(jobId, waiters);
    return {
      result,
      joined,
      cancel: () => {
        clearTimeout(entry.timer);
        this.drop(jobId, entry);
      },
    };
  }

  /** Rejects every wait, e.g. on shutdown, so no request hangs past the process. */
  rejectAll(error: Error): void {
    for (const jobId of [...this.pending.keys()]) this.settle(jobId, (p) => p.reject(error));
  }

  private complete(pending: Pending, returnvalue: unknown): void {
    const parsed = ScoreJobResult.safeParse(returnvalue);
    if (parsed.success) pending.resolve(parsed.data.score);
    else pending.reject(new ScoringFailed('the worker returned a malformed result'));
  }

  private settle(jobId: string, action: (pending: Pending) => void): void {
    const waiters = this.pending.get(jobId);
    if (!waiters) return;
    this.pending.delete(jobId);
    for (const pending of waiters) {
      clearTimeout(pending.timer);
      action(pending);
    }
  }

  private drop(jobId: string, entry: Pending): void {
    const waiters = this.pending.get(jobId);
    if (!waiters) return;
    waiters.delete(entry);
    if (waiters.size === 0) this.pending.delete(jobId);
  }
}
