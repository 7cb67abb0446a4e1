import type { QueueEvents } from 'bullmq';
import { ScoreJobResult } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import { ScoringFailed } from '../errors.js';

interface Pending {
  resolve: (score: Score | undefined) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  /** The job this wait counts on, once the flush that carried it knows. */
  jobId?: string;
}

/**
 * A registered wait for one applicant's answer: `result` is the answer, `undefined` when it has not
 * come by the deadline, or a rejection with ScoringFailed. `cancel` drops the wait.
 */
export interface AnswerWait {
  result: Promise<Score | undefined>;
  /** Another request of this process was already waiting for the same applicant: this one coalesced. */
  joined: boolean;
  cancel: () => void;
  /** Names the job that will answer: only that job's failure fails this wait. */
  bind: (jobId: string) => void;
}

/** The public ids of the applicants a job carried (read from the job when it failed). */
export type JobItems = (jobId: string) => Promise<string[]>;

/** Called with every job that finished, completed or failed. */
export type JobSettled = (jobId: string) => void;

/**
 * One QueueEvents subscription per gateway process, fanned out to every request waiting for an
 * applicant. Waits are keyed by the applicant's public id, not by job: a job carries many applicants,
 * and whichever job (from whichever gateway) answers an applicant settles everyone waiting for it.
 * A request registers *before* its miss is enqueued, so no completion can slip past, and every wait
 * has a timeout. BullMQ's `waitUntilFinished` per request would open a listener each and can hang
 * when a finished job is removed.
 */
export class AnswerWaiter {
  private readonly pending = new Map<string, Set<Pending>>();
  private released = false;

  constructor(
    events: QueueEvents,
    jobItems: JobItems,
    jobSettled: JobSettled = () => undefined,
    beforeFailed: (jobId: string) => Promise<void> = () => Promise.resolve(),
  ) {
    events.on('completed', ({ jobId, returnvalue }) => {
      this.completed(returnvalue);
      jobSettled(jobId);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      jobSettled(jobId);
      // The event names only the job; which applicants it carried costs a read, made only when needed.
      if (this.pending.size === 0) return;
      beforeFailed(jobId)
        .then(() => jobItems(jobId))
        .then(
          (ids) => ids.forEach((id) => this.failed(id, jobId, new ScoringFailed(failedReason))),
          () => undefined, // the job is gone: its waiters time out and their clients poll
        );
    });
  }

  /** Applicants some request is waiting for right now (a gauge for metrics and tests). */
  get waitingFor(): number {
    return this.pending.size;
  }

  wait(id: string, timeoutMs: number): AnswerWait {
    if (this.released) {
      return { result: Promise.resolve(undefined), joined: false, cancel: () => undefined, bind: () => undefined };
    }
    let entry!: Pending;
    const result = new Promise<Score | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.drop(id, entry);
        resolve(undefined);
      }, timeoutMs);
      entry = { resolve, reject, timer };
    });
    const joined = this.pending.has(id);
    const waiters = this.pending.get(id) ?? new Set<Pending>();
    waiters.add(entry);
    this.pending.set(id, waiters);
    return {
      result,
      joined,
      cancel: () => {
        clearTimeout(entry.timer);
        this.drop(id, entry);
      },
      bind: (jobId) => {
        entry.jobId = jobId;
      },
    };
  }

  /** Settles the waits for an applicant whose answer turned up another way (e.g. the cache). */
  resolve(id: string, score: Score): void {
    this.settle(id, (p) => p.resolve(score));
  }

  reject(id: string, error: Error): void {
    this.settle(id, (p) => p.reject(error));
  }

  /**
   * Shutdown: every wait, and every later one at once, ends as "not answered yet", so its client gets
   * 202 and a job to poll (the job goes on) instead of holding the drain until the wait ends.
   */
  releaseAll(): void {
    this.released = true;
    for (const id of [...this.pending.keys()]) this.settle(id, (p) => p.resolve(undefined));
  }

  private completed(returnvalue: unknown): void {
    if (this.pending.size === 0) return;
    const parsed = ScoreJobResult.safeParse(returnvalue);
    // Not this service's result shape (e.g. an old worker's during an upgrade): its waiters time out and poll.
    if (!parsed.success) return;
    for (const item of parsed.data.results) {
      if ('score' in item) this.resolve(item.id, item.score);
      else this.reject(item.id, new ScoringFailed(item.error));
    }
  }

  /**
   * A job failed: the waits that count on it fail. A wait for the same applicant that counts on
   * another job (a later miss took the claim over), or on none yet, stands.
   */
  private failed(id: string, jobId: string, error: Error): void {
    const waiters = this.pending.get(id);
    if (!waiters) return;
    for (const pending of waiters) {
      if (pending.jobId !== jobId) continue;
      waiters.delete(pending);
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    if (waiters.size === 0) this.pending.delete(id);
  }

  private settle(id: string, action: (pending: Pending) => void): void {
    const waiters = this.pending.get(id);
    if (!waiters) return;
    this.pending.delete(id);
    for (const pending of waiters) {
      clearTimeout(pending.timer);
      action(pending);
    }
  }

  private drop(id: string, entry: Pending): void {
    const waiters = this.pending.get(id);
    if (!waiters) return;
    waiters.delete(entry);
    if (waiters.size === 0) this.pending.delete(id);
  }
}
