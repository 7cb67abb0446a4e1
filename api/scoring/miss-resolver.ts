import type { JobState } from 'bullmq';
import { orUnavailable } from '../../shared/errors.js';
import type { JobSeal } from '../../shared/job-seal.js';
import { newScoreJobId, scoreJobName } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import type { ScoreCache } from '../../shared/score-cache.js';
import { ScoringFailed } from '../errors.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { AnswerWaiter } from './answer-waiter.js';
import type { ClaimStore } from './claims.js';
import { MissBatcher, type MissBatcherOptions } from './miss-batcher.js';
import type { QueueDepthGuard } from './queue-depth.js';
import type { Question } from './question.js';
import type { ScoreQueue } from './scorer.js';

/** Per question code: its answer, or why it failed. A code missing here is still being scored. */
export type Resolution = Map<string, Score | ScoringFailed>;

export interface MissResolverDeps {
  cache: ScoreCache;
  queue: ScoreQueue;
  claims: ClaimStore;
  waiter: AnswerWaiter;
  depthGuard: QueueDepthGuard;
  /** Seals each job's applicants: job data holds nothing an operator could read back into a person. */
  seal: JobSeal;
  batching: MissBatcherOptions;
  metrics: Pick<GatewayMetrics, 'jobsCoalesced' | 'missBatchSize'>;
}

/** See MissResolver.openJobs. */
const OPEN_JOB_FORGET_MS = 1000;

/** Job states in which a claim's job will still answer: waiting for it is enough. */
const WILL_ANSWER = new Set<JobState | 'unknown'>(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Turns distinct cache misses into answers. Each miss waits (registered before anything is
 * enqueued, so no answer slips past) while the batcher gathers it with concurrent misses into one
 * job. A flush claims each applicant for the new job; an applicant another job already holds is
 * just awaited, unless that job can no longer answer (failed, gone, or finished without a cached
 * answer), in which case its claim is taken over.
 */
export class MissResolver {
  private readonly batcher: MissBatcher<Question>;
  /**
   * This gateway's jobs not answered yet: while any is out, new misses gather (like Nagle's
   * algorithm). A job whose answer is lost (a stall, events missed during a Redis restart) stops
   * counting after OPEN_JOB_FORGET_MS, so it cannot hold misses back for longer than their timer.
   */
  private readonly openJobs = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: MissResolverDeps) {
    this.batcher = new MissBatcher(
      deps.batching,
      (questions, requestIds) => this.enqueue(questions, requestIds),
      () => this.openJobs.size > 0,
    );
  }

  /** A job finished (completed or failed), as the queue's events tell every gateway. */
  jobSettled(jobId: string): void {
    const forget = this.openJobs.get(jobId);
    if (!forget) return;
    clearTimeout(forget);
    this.openJobs.delete(jobId);
    this.batcher.kick();
  }

  /** Enqueues without waiting for answers (waitMs 0) or waits up to waitMs; never longer. */
  async resolve(questions: readonly Question[], waitMs: number, requestId?: string): Promise<Resolution> {
    const { waiter, metrics } = this.deps;
    await orUnavailable(() => this.deps.depthGuard.check());
    const waits = questions.flatMap((q) => (waitMs > 0 ? [{ q, wait: waiter.wait(q.id, waitMs) }] : []));
    metrics.jobsCoalesced.inc(waits.filter(({ wait }) => wait.joined).length);
    try {
      await this.batcher.submit(questions, requestId);
    } catch (error) {
      for (const { wait } of waits) wait.cancel();
      throw error;
    }
    const resolution: Resolution = new Map();
    const settled = await Promise.allSettled(waits.map(({ wait }) => wait.result));
    settled.forEach((outcome, i) => {
      const { code } = waits[i]!.q;
      if (outcome.status === 'rejected') resolution.set(code, outcome.reason as ScoringFailed);
      else if (outcome.value) resolution.set(code, outcome.value);
    });
    return resolution;
  }

  /** Sends on whatever is gathered and waits for it (shutdown). */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  /** One flush: claim, take over what will not be answered, add one job for what this flush owns. */
  private async enqueue(questions: Question[], requestIds: string[]): Promise<void> {
    const jobId = newScoreJobId();
    const holders = await this.deps.claims.claim(
      questions.map((q) => q.claimKey),
      jobId,
    );
    const owned = questions.filter((_, i) => holders[i] === undefined);
    const held = new Map<string, Question[]>();
    questions.forEach((q, i) => {
      const holder = holders[i];
      if (holder !== undefined) held.set(holder, [...(held.get(holder) ?? []), q]);
    });
    owned.push(...(await this.takeOverIdle(held, jobId)));
    if (owned.length > 0) await this.add(jobId, owned, requestIds);
  }

  /**
   * Claims held by jobs that will not answer: settled from the cache where the answer is already
   * there, taken over for `jobId` otherwise. Returns the questions taken over.
   */
  private async takeOverIdle(held: Map<string, Question[]>, jobId: string): Promise<Question[]> {
    if (held.size === 0) return [];
    const { queue, cache, claims, waiter, metrics } = this.deps;
    const holders = [...held.keys()];
    const states = await orUnavailable(() => Promise.all(holders.map((holder) => queue.getJobState(holder))));
    const idle = holders.filter((_, i) => !WILL_ANSWER.has(states[i]!));
    metrics.jobsCoalesced.inc(
      holders.filter((_, i) => WILL_ANSWER.has(states[i]!)).reduce((n, holder) => n + held.get(holder)!.length, 0),
    );
    const taken = await Promise.all(
      idle.map(async (holder) => {
        const questions = held.get(holder)!;
        const cached = await cache.readMany(questions.map((q) => q.key));
        const unanswered = questions.filter((q, i) => {
          if (cached[i]) waiter.resolve(q.id, cached[i]);
          return !cached[i];
        });
        const newHolders = await claims.replace(
          unanswered.map((q) => q.claimKey),
          holder,
          jobId,
        );
        // Where another gateway took the claim over first, its job answers and the wait stands.
        return unanswered.filter((_, i) => newHolders[i] === undefined);
      }),
    );
    return taken.flat();
  }

  private async add(jobId: string, questions: Question[], requestIds: string[]): Promise<void> {
    const sealed = this.deps.seal.seal(questions.map((q) => ({ id: q.id, applicant: q.applicant })));
    await orUnavailable(() =>
      this.deps.queue.add(
        scoreJobName(questions.length, requestIds),
        {
          modelVersion: questions[0]!.modelVersion,
          count: questions.length,
          sealed,
          ...(requestIds.length > 0 ? { requestIds } : {}),
        },
        { jobId },
      ),
    );
    this.openJobs.set(jobId, setTimeout(() => this.jobSettled(jobId), OPEN_JOB_FORGET_MS).unref());
    this.deps.metrics.missBatchSize.observe(questions.length);
  }
}
