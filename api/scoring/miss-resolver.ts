import type { JobState } from 'bullmq';
import { orUnavailable } from '../../shared/errors.js';
import { scoreJobName } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import type { ScoreCache } from '../../shared/score-cache.js';
import { ScoringFailed } from '../errors.js';
import type { JobWait, JobWaiter } from './job-waiter.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { QueueDepthGuard } from './queue-depth.js';
import type { Question } from './question.js';
import type { ScoreQueue } from './scorer.js';

/** Per question code: its answer, or why its job failed. A code missing here is still being scored. */
export type Resolution = Map<string, Score | ScoringFailed>;

export interface MissResolverDeps {
  cache: ScoreCache;
  queue: ScoreQueue;
  waiter: JobWaiter;
  depthGuard: QueueDepthGuard;
  metrics: Pick<GatewayMetrics, 'jobsCoalesced'>;
}

/**
 * Turns distinct cache misses into answers: one job per question (content-addressed, so concurrent
 * identical misses share it), each awaited until a deadline. Waits are registered before the jobs
 * are added, and the jobs' states are checked afterwards, because a job that already existed may be
 * finished and will send no further event.
 */
export class MissResolver {
  constructor(private readonly deps: MissResolverDeps) {}

  /** Enqueues without waiting (waitMs 0) or waits up to waitMs; never longer. */
  async resolve(questions: readonly Question[], waitMs: number, requestId?: string): Promise<Resolution> {
    const { waiter } = this.deps;
    await orUnavailable(() => this.deps.depthGuard.check());
    const resolution: Resolution = new Map();
    const waits = new Map<string, JobWait>(
      waitMs > 0 ? questions.map((q) => [q.code, waiter.wait(q.jobId, waitMs)]) : [],
    );
    this.deps.metrics.jobsCoalesced.inc([...waits.values()].filter((wait) => wait.joined).length);
    try {
      await this.enqueue(questions, resolution, requestId);
    } catch (error) {
      for (const wait of waits.values()) wait.cancel();
      throw error;
    }
    for (const code of resolution.keys()) waits.get(code)?.cancel();
    const pending = questions.filter((q) => !resolution.has(q.code) && waits.has(q.code));
    const settled = await Promise.allSettled(pending.map((q) => waits.get(q.code)!.result));
    settled.forEach((outcome, i) => {
      const code = pending[i]!.code;
      if (outcome.status === 'rejected') resolution.set(code, outcome.reason as ScoringFailed);
      else if (outcome.value) resolution.set(code, outcome.value);
    });
    return resolution;
  }

  /**
   * Adds the jobs and settles those already finished from the cache. A completed job kept for Bull
   * Board whose answer has since expired must not block re-scoring: it is removed and added again
   * (one more round at most).
   */
  private async enqueue(questions: readonly Question[], resolution: Resolution, requestId?: string): Promise<void> {
    let toAdd = questions;
    for (let round = 0; round < 2 && toAdd.length > 0; round++) {
      const states = await this.add(toAdd, requestId);
      const finished = toAdd.filter((_, i) => states[i] === 'completed' || states[i] === 'unknown');
      await this.retryFailed(toAdd.filter((_, i) => states[i] === 'failed'));
      if (finished.length === 0) return;
      const cached = await this.deps.cache.readMany(finished.map((q) => q.key));
      const stale = finished.filter((q, i) => {
        if (cached[i]) resolution.set(q.code, cached[i]);
        return !cached[i];
      });
      await orUnavailable(() => Promise.all(stale.map((q) => this.deps.queue.remove(q.jobId))));
      toAdd = stale;
    }
  }

  private add(questions: readonly Question[], requestId?: string): Promise<Array<JobState | 'unknown'>> {
    const { queue } = this.deps;
    return orUnavailable(async () => {
      await queue.addBulk(
        questions.map((q) => ({
          name: scoreJobName(q.code),
          data: { applicant: q.applicant, modelVersion: q.modelVersion, requestId },
          opts: { jobId: q.jobId },
        })),
      );
      return Promise.all(questions.map((q) => queue.getJobState(q.jobId)));
    });
  }

  /**
   * A kept failure is retried for the new request. When two gateways race, the loser's retry throws
   * because the job is no longer failed; both then simply wait for it.
   */
  private async retryFailed(questions: readonly Question[]): Promise<void> {
    await orUnavailable(() =>
      Promise.all(
        questions.map(async (q) => (await this.deps.queue.getJob(q.jobId))?.retry('failed').catch(() => undefined)),
      ),
    );
  }
}
