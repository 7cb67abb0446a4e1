import type { ScoreJobItemResult } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';

/** How one applicant's miss ended: its answers, or why the model could not score it (safe to show a client). */
export type Outcome = { kind: 'scored'; score: Score } | { kind: 'failed'; reason: string };

interface Pending {
  /** The applicant's public id. */
  id: string;
  settle: (outcome: Outcome | undefined) => void;
  timer: NodeJS.Timeout;
  /** The job this wait counts on, once the flush that carried it knows. */
  jobId?: string;
}

/**
 * A registered wait for one applicant's answer: `result` is its outcome, or `undefined` when none
 * came by the deadline. `cancel` drops the wait.
 */
export interface AnswerWait {
  result: Promise<Outcome | undefined>;
  /** Another request of this process was already waiting for the same applicant: this one coalesced. */
  joined: boolean;
  cancel: () => void;
  /** Names the job that will answer: only that job's failure fails this wait. */
  bind: (jobId: string) => void;
}

const RELEASED: AnswerWait = {
  result: Promise.resolve(undefined),
  joined: false,
  cancel: () => undefined,
  bind: () => undefined,
};

/**
 * This gateway's requests waiting for answers, keyed by the applicant's public id, not by job: a job
 * carries many applicants, and whichever job answers an applicant settles everyone waiting for it.
 * A failure is narrower: it fails only the waits bound to the failed job. A request registers
 * *before* its miss is enqueued, so no answer can slip past, and every wait has a timeout. It holds
 * no connection: the miss path (miss-path.ts) feeds it what the queue reports.
 */
export class AnswerWaiter {
  private readonly pending = new Map<string, Set<Pending>>();
  /** The bound waits by job, so a failure reaches them without knowing the job's applicants. */
  private readonly byJob = new Map<string, Set<Pending>>();
  private released = false;

  /** Applicants some request is waiting for right now (a gauge for metrics and tests). */
  get waitingFor(): number {
    return this.pending.size;
  }

  wait(id: string, timeoutMs: number): AnswerWait {
    if (this.released) return RELEASED;
    let entry!: Pending;
    const result = new Promise<Outcome | undefined>((settle) => {
      const timer = setTimeout(() => {
        this.drop(id, entry);
        settle(undefined);
      }, timeoutMs);
      entry = { id, settle, timer };
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
        if (!this.pending.get(id)?.has(entry)) return; // already settled
        entry.jobId = jobId;
        const bound = this.byJob.get(jobId) ?? new Set<Pending>();
        bound.add(entry);
        this.byJob.set(jobId, bound);
      },
    };
  }

  /** Settles the waits for an applicant whose answer turned up another way (e.g. the cache). */
  resolve(id: string, score: Score): void {
    this.settle(id, { kind: 'scored', score });
  }

  /** A job completed: each of its applicants' waits gets that applicant's outcome. */
  jobCompleted(results: readonly ScoreJobItemResult[]): void {
    for (const item of results) {
      this.settle(
        item.id,
        'score' in item ? { kind: 'scored', score: item.score } : { kind: 'failed', reason: item.error },
      );
    }
  }

  /**
   * A job failed after its retries: the waits bound to it fail. A wait for the same applicant that
   * counts on another job (a later miss took the claim over), or on none yet, stands.
   */
  jobFailed(jobId: string, reason: string): void {
    for (const entry of this.byJob.get(jobId) ?? []) {
      clearTimeout(entry.timer);
      this.drop(entry.id, entry);
      entry.settle({ kind: 'failed', reason });
    }
  }

  /**
   * Shutdown: every wait, and every later one at once, ends as "not answered yet", so its client gets
   * 202 and a job to poll (the job goes on) instead of holding the drain until the wait ends.
   */
  releaseAll(): void {
    this.released = true;
    for (const id of [...this.pending.keys()]) this.settle(id, undefined);
  }

  private settle(id: string, outcome: Outcome | undefined): void {
    const waiters = this.pending.get(id);
    if (!waiters) return;
    this.pending.delete(id);
    for (const pending of waiters) {
      clearTimeout(pending.timer);
      this.unbind(pending);
      pending.settle(outcome);
    }
  }

  private drop(id: string, entry: Pending): void {
    const waiters = this.pending.get(id);
    if (!waiters) return;
    waiters.delete(entry);
    if (waiters.size === 0) this.pending.delete(id);
    this.unbind(entry);
  }

  private unbind(entry: Pending): void {
    if (entry.jobId === undefined) return;
    const bound = this.byJob.get(entry.jobId);
    bound?.delete(entry);
    if (bound?.size === 0) this.byJob.delete(entry.jobId);
  }
}
