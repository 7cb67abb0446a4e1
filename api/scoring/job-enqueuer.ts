import type { JobState } from 'bullmq';
import { orUnavailable } from '../../shared/errors.js';
import type { JobSeal } from '../../shared/job-seal.js';
import { newScoreJobId, scoreJobName } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import type { ScoreCache } from '../../shared/score-cache.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { ClaimStore } from './claims.js';
import type { Routes } from './miss-batcher.js';
import type { Question } from './question.js';
import type { ReplyChannel } from './reply-channel.js';
import type { ScoreQueues } from './score-queues.js';

/** Job states in which a claim's job will still answer: waiting for it is enough. */
const WILL_ANSWER = new Set<JobState | 'unknown'>(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export interface JobEnqueuerDeps {
  cache: ScoreCache;
  queues: ScoreQueues;
  claims: ClaimStore;
  /** Seals each job's applicants: job data holds nothing an operator could read back into a person. */
  seal: JobSeal;
  metrics: Pick<GatewayMetrics, 'jobsCoalesced' | 'missBatchSize'>;
  /** An applicant's answer turned up in the cache while its claim was being settled. */
  answered: (id: string, score: Score) => void;
  /** A job was added (it now counts as this gateway's open job). */
  added: (jobId: string) => void;
  /** This gateway's reply channel: named in the jobs it adds, registered for jobs it coalesces onto. */
  replies: Pick<ReplyChannel, 'channel' | 'register'>;
  /** Test seam: awaited between a flush's claims and its queue.add. */
  beforeAdd?: (jobId: string) => Promise<void>;
  /** Test seam: awaited before a flush registers for the jobs holding its claims. */
  beforeRegister?: (jobIds: string[]) => Promise<void>;
}

/**
 * One flush of gathered misses to the queue, across every gateway replica: each applicant is
 * claimed for a new job (SET NX GET); an applicant another job already holds is routed to that job,
 * unless the job can no longer answer (failed, gone, or finished without a cached answer), in which
 * case its claim is taken over. A claim whose job does not exist *yet* stands for CLAIM_ADD_GRACE_MS
 * (its gateway may be between claim and add), so two gateways never add two jobs for one applicant.
 */
export class JobEnqueuer {
  constructor(private readonly deps: JobEnqueuerDeps) {}

  /**
   * Adds at most one job, on queue shard `shard` (every question's shard: an applicant's claim and
   * the jobs that held it before are on the same one); returns the job that answers each question
   * (none for one answered from the cache).
   */
  async flush(questions: Question[], requestIds: string[], shard: number): Promise<Routes> {
    const jobId = newScoreJobId(shard);
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
    if (owned.length === 0) return routes;
    try {
      await this.add(jobId, shard, owned, requestIds);
    } catch (error) {
      // Free the claims at once, rather than have the next misses wait out CLAIM_ADD_GRACE_MS.
      await this.deps.claims.release(
        owned.map((q) => q.claimKey),
        jobId,
      );
      throw error;
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
    const { queues, cache, claims, metrics } = this.deps;
    const holders = [...held.keys()];
    // Registered before the state is read: a job that replies after the registration replies here
    // too, and one that replied before it has its answers in the cache: it reads as finished, or as
    // active (the worker replies before BullMQ marks the job completed), and then the cache tells.
    await this.deps.beforeRegister?.(holders);
    await this.deps.replies.register(holders);
    const states = await orUnavailable(() => Promise.all(holders.map((holder) => queues.getJobState(holder))));
    const answering = holders.filter((_, i) => WILL_ANSWER.has(states[i]!));
    const active = new Set(holders.filter((_, i) => states[i] === 'active'));
    await Promise.all(
      answering.map((holder) => {
        const questions = held.get(holder)!;
        if (active.has(holder)) return this.answerOrRoute(questions, holder, routes);
        for (const q of questions) routes.set(q.id, holder);
      }),
    );
    metrics.jobsCoalesced.inc(answering.reduce((n, holder) => n + held.get(holder)!.length, 0));
    const idle = holders.flatMap((holder, i) => (WILL_ANSWER.has(states[i]!) ? [] : [{ holder, state: states[i]! }]));
    const taken = await Promise.all(
      idle.map(async ({ holder, state }) => {
        const questions = held.get(holder)!;
        const cached = await cache.readMany(questions.map((q) => q.key));
        const unanswered = questions.filter((q, i) => {
          if (cached[i]) this.deps.answered(q.id, cached[i]);
          return !cached[i];
        });
        const newHolders = await claims.replace(
          unanswered.map((q) => q.claimKey),
          holder,
          jobId,
          state !== 'unknown',
        );
        // The holder's gateway may still be adding its job (registered for above): that job answers.
        // Where another gateway took the claim over first, its job answers, once registered for.
        const movedTo = new Map<string, Question[]>();
        unanswered.forEach((q, i) => {
          const newHolder = newHolders[i];
          if (newHolder === holder) routes.set(q.id, newHolder);
          else if (newHolder !== undefined) movedTo.set(newHolder, [...(movedTo.get(newHolder) ?? []), q]);
        });
        await this.followTakenOver(movedTo, routes);
        metrics.jobsCoalesced.inc(newHolders.filter((h) => h !== undefined).length);
        return unanswered.filter((_, i) => newHolders[i] === undefined);
      }),
    );
    return taken.flat();
  }

  /**
   * Questions whose claim another gateway took over first, by the job it took them over for: this
   * gateway registers for that job, then reads the cache, as for any job it coalesces onto (the job
   * may have replied before the registration; its answers are stored by then).
   */
  private async followTakenOver(movedTo: Map<string, Question[]>, routes: Map<string, string>): Promise<void> {
    if (movedTo.size === 0) return;
    await this.deps.replies.register([...movedTo.keys()]);
    await Promise.all([...movedTo].map(([holder, questions]) => this.answerOrRoute(questions, holder, routes)));
  }

  /**
   * For a job this gateway is registered for and that may already have replied: each question whose
   * answer is in the cache is answered now, the others wait on the job (`routes`).
   */
  private async answerOrRoute(questions: Question[], holder: string, routes: Map<string, string>): Promise<void> {
    const cached = await this.deps.cache.readMany(questions.map((q) => q.key));
    questions.forEach((q, i) => {
      if (cached[i]) this.deps.answered(q.id, cached[i]);
      else routes.set(q.id, holder);
    });
  }

  private async add(jobId: string, shard: number, questions: Question[], requestIds: string[]): Promise<void> {
    await this.deps.beforeAdd?.(jobId);
    const sealed = this.deps.seal.seal(questions.map((q) => ({ id: q.id, applicant: q.applicant })));
    await orUnavailable(() =>
      this.deps.queues.at(shard).add(
        scoreJobName(questions.length, requestIds),
        {
          modelVersion: questions[0]!.modelVersion,
          count: questions.length,
          sealed,
          ...(requestIds.length > 0 ? { requestIds } : {}),
          replyTo: this.deps.replies.channel,
        },
        { jobId },
      ),
    );
    this.deps.added(jobId);
    this.deps.metrics.missBatchSize.observe(questions.length);
  }
}
