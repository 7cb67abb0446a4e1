import type { JobState } from 'bullmq';
import { orUnavailable } from '../../shared/errors.js';
import type { JobSeal } from '../../shared/job-seal.js';
import { newScoreJobId, scoreJobName, type ScoreQueue } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import type { ScoreCache } from '../../shared/score-cache.js';
import { ScoringFailed } from '../errors.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { AnswerWaiter } from './answer-waiter.js';
import type { ClaimStore } from './claims.js';
import { MissBatcher, type MissBatcherOptions, type Routes } from './miss-batcher.js';
import type { QueueDepthGuard } from './queue-depth.js';
import type { Question } from './question.js';

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
  seams?: MissPathSeams;
}

/**
 * Test seams: awaited at the points where another gateway or the queue's events may interleave, so a
 * race test can hold one process there. Production passes none.
 */
export interface MissPathSeams {
  /** Between a flush's claims and its queue.add. */
  beforeAdd?: (jobId: string) => Promise<void>;
  /** Before a `failed` event settles the waits it concerns. */
  beforeFailed?: (jobId: string) => Promise<void>;
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
    let routes: Routes;
    try {
      routes = await this.batcher.submit(questions, requestId);
    } catch (error) {
      for (const { wait } of waits) wait.cancel();
      throw error;
    }
    for (const { q, wait } of waits) {
      const jobId = routes.get(q.id);
      if (jobId !== undefined) wait.bind(jobId);
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

  /**
   * One flush: claim, take over what will not be answered, add one job for what this flush owns.
   * Returns the job that answers each question (none for one settled from the cache).
   */
  private async enqueue(questions: Question[], requestIds: string[]): Promise<Routes> {
    const jobId = newScoreJobId();
    const holders = await this.deps.claims.claim(
      questions.map((q) => q.claimKey),
      jobId,
    );
    const routes = new Map<string, string>();
    const owned = questions.filter((_, i) => holders[i] === undefined);
    const held = new Map<string, Question[]>();
    questions.forEach((q, i) => {
      const holder = holders[i];
      if (holder !== undefined) held.set(holder, [...(held.get(holder) ?? []), q]);
    });
    owned.push(...(await this.takeOverIdle(held, jobId, routes)));
    if (owned.length > 0) {
      try {
        await this.add(jobId, owned, requestIds);
      } catch (error) {
        await this.deps.claims.release(
          owned.map((q) => q.claimKey),
          jobId,
        );
        throw error;
      }
    }
    for (const q of owned) routes.set(q.id, jobId);
    return routes;
  }

  /**
   * Claims held by jobs that will not answer: settled from the cache where the answer is already
   * there, taken over for `jobId` otherwise. Returns the questions taken over; `routes` gets the job
   * that answers each of the others.
   */
  private async takeOverIdle(
    held: Map<string, Question[]>,
    jobId: string,
    routes: Map<string, string>,
  ): Promise<Question[]> {
    if (held.size === 0) return [];
    const { queue, cache, claims, waiter, metrics } = this.deps;
    const holders = [...held.keys()];
    const states = await orUnavailable(() => Promise.all(holders.map((holder) => queue.getJobState(holder))));
    const idle = holders.filter((_, i) => !WILL_ANSWER.has(states[i]!));
    const answering = holders.filter((_, i) => WILL_ANSWER.has(states[i]!));
    for (const holder of answering) for (const q of held.get(holder)!) routes.set(q.id, holder);
    metrics.jobsCoalesced.inc(answering.reduce((n, holder) => n + held.get(holder)!.length, 0));
    const taken = await Promise.all(
      idle.map(async (holder) => {
        const exists = states[holders.indexOf(holder)] !== 'unknown';
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
          exists,
        );
        // Where another gateway took the claim over first, or the holder's gateway may still be
        // adding it, that job answers and the wait stands.
        unanswered.forEach((q, i) => {
          const newHolder = newHolders[i];
          if (newHolder !== undefined) routes.set(q.id, newHolder);
        });
        metrics.jobsCoalesced.inc(newHolders.filter((h) => h !== undefined).length);
        return unanswered.filter((_, i) => newHolders[i] === undefined);
      }),
    );
    return taken.flat();
  }

  private async add(jobId: string, questions: Question[], requestIds: string[]): Promise<void> {
    await this.deps.seams?.beforeAdd?.(jobId);
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
