import { orUnavailable } from '../../shared/errors.js';
import type { JobSeal } from '../../shared/job-seal.js';
import type { ScoreReply } from '../../shared/queues.js';
import type { ScoreCache } from '../../shared/score-cache.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { AnswerWaiter, type Outcome } from './answer-waiter.js';
import type { ClaimStore } from './claims.js';
import { JobEnqueuer } from './job-enqueuer.js';
import { MissBatcher, type MissBatcherOptions, type Routes } from './miss-batcher.js';
import type { QueueDepthGuard } from './queue-depth.js';
import type { Question } from './question.js';
import type { ReplyChannel } from './reply-channel.js';
import type { ScoreQueues } from './score-queues.js';

/** Per question code: how it ended. A code missing here is still being scored (the client polls). */
export type Resolution = Map<string, Outcome>;

/**
 * Test seams: awaited at the points where another gateway or the queue's events may interleave, so a
 * race test can hold one process there. Production passes none.
 */
export interface MissPathSeams {
  /** Between a flush's claims and its queue.add. */
  beforeAdd?: (jobId: string) => Promise<void>;
  /** Before a job's failure settles the waits it concerns. */
  beforeFailed?: (jobId: string) => Promise<void>;
  /** Before a flush registers for the jobs that hold its applicants' claims (coalescing onto them). */
  beforeRegister?: (jobIds: string[]) => Promise<void>;
  /** Before a request registers its waits: its cache read has missed, so the answer may come meanwhile. */
  beforeWait?: (ids: string[]) => Promise<void>;
}

export interface MissPathDeps {
  cache: ScoreCache;
  queues: ScoreQueues;
  /** This gateway's own reply channel: how it learns that its jobs finished. */
  replies: ReplyChannel;
  claims: ClaimStore;
  depthGuard: QueueDepthGuard;
  seal: JobSeal;
  batching: MissBatcherOptions;
  metrics: Pick<GatewayMetrics, 'jobsCoalesced' | 'missBatchSize' | 'replyMessages' | 'replyBytes'>;
  seams?: MissPathSeams;
}

/** See MissPath.openJobs. */
const OPEN_JOB_FORGET_MS = 1000;

/**
 * The gateway's miss path, top to bottom: a distinct cache miss registers a wait (AnswerWaiter)
 * before anything is enqueued, so no answer slips past; the batcher gathers it with concurrent
 * misses of this gateway (gathering happens here, in the gateway, never in the worker); each
 * gathered batch goes to the queue as one job per queue shard its applicants fall on (JobEnqueuer:
 * claims, coalescing across gateways, take-overs); the worker's replies, on this gateway's own
 * channel, settle the waits.
 */
export class MissPath {
  private readonly waiter = new AnswerWaiter();
  private readonly batcher: MissBatcher<Question>;
  private readonly enqueuer: JobEnqueuer;
  /**
   * This gateway's jobs not answered yet: while any is out, new misses gather (like Nagle's
   * algorithm). A job whose answer is lost (a stall, events missed during a Redis restart) stops
   * counting after OPEN_JOB_FORGET_MS, so it cannot hold misses back for longer than their timer.
   */
  private readonly openJobs = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: MissPathDeps) {
    this.enqueuer = new JobEnqueuer({
      ...deps,
      beforeAdd: deps.seams?.beforeAdd,
      beforeRegister: deps.seams?.beforeRegister,
      answered: (id, score) => this.waiter.resolve(id, score),
      added: (jobId) => this.openJobs.set(jobId, setTimeout(() => this.jobSettled(jobId), OPEN_JOB_FORGET_MS).unref()),
    });
    this.batcher = new MissBatcher(
      deps.batching,
      (questions, requestIds) => this.flush(questions, requestIds),
      () => this.openJobs.size > 0,
    );
  }

  /** Starts hearing replies; the gateway is ready once this resolves. */
  listen(): Promise<void> {
    return this.deps.replies.listen((reply, bytes) => this.replied(reply, bytes));
  }

  /** Enqueues without waiting for answers (waitMs 0) or waits up to waitMs; never longer. */
  async resolve(questions: readonly Question[], waitMs: number, requestId?: string): Promise<Resolution> {
    await orUnavailable(() => this.deps.depthGuard.check());
    const { seams } = this.deps;
    if (waitMs > 0 && seams?.beforeWait) await seams.beforeWait(questions.map((q) => q.id));
    const waits = waitMs > 0 ? questions.map((q) => ({ q, wait: this.waiter.wait(q.id, waitMs) })) : [];
    this.deps.metrics.jobsCoalesced.inc(waits.filter(({ wait }) => wait.joined).length);
    // A wait that joins a flush already under way was registered after that flush began: the flush
    // may have found the answer in the cache, or routed the miss to a job whose reply this gateway
    // has heard, before the wait existed. Either way the answer is in the cache (the worker stores
    // before it replies), so such a wait reads it once more. A wait that joined another one still
    // pending is settled with it.
    const late = waits.filter(({ q, wait }) => !wait.joined && this.batcher.inFlush(q.id));
    if (late.length > 0) void this.settleFromCache(late.map(({ q }) => q));
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
    const outcomes = await Promise.all(waits.map(({ wait }) => wait.result));
    const resolution: Resolution = new Map();
    outcomes.forEach((outcome, i) => outcome && resolution.set(waits[i]!.q.code, outcome));
    return resolution;
  }

  /**
   * Shutdown's first step: every wait, and every later one, ends at once as "not answered yet", so
   * its client gets 202 and a job to poll (the job goes on).
   */
  releaseWaits(): void {
    this.waiter.releaseAll();
  }

  /** Sends on whatever is gathered and waits for it (shutdown). */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  /** One job per shard the gathered misses fall on, added together; their routes merged. */
  private async flush(questions: Question[], requestIds: string[]): Promise<Routes> {
    const { queues } = this.deps;
    if (queues.shards.length === 1) return this.enqueuer.flush(questions, requestIds, 0);
    const byShard = new Map<number, Question[]>();
    for (const q of questions) {
      const shard = queues.shardOf(q.id);
      byShard.set(shard, [...(byShard.get(shard) ?? []), q]);
    }
    const routes = await Promise.all(
      [...byShard].map(([shard, group]) => this.enqueuer.flush(group, requestIds, shard)),
    );
    return new Map(routes.flatMap((route) => [...route]));
  }

  /** Settles the waits whose answers are in the cache; on a failed read they run their course (202 and a poll). */
  private async settleFromCache(questions: Question[]): Promise<void> {
    const cached = await this.deps.cache.readMany(questions.map((q) => q.key)).catch(() => []);
    questions.forEach((q, i) => {
      const score = cached[i];
      if (score) this.waiter.resolve(q.id, score);
    });
  }

  /** A job finished (completed or failed): what gathered meanwhile may go. */
  private jobSettled(jobId: string): void {
    const forget = this.openJobs.get(jobId);
    if (!forget) return;
    clearTimeout(forget);
    this.openJobs.delete(jobId);
    this.batcher.kick();
  }

  private replied(reply: ScoreReply, bytes: number): void {
    const { metrics, seams } = this.deps;
    metrics.replyMessages.inc();
    metrics.replyBytes.inc(bytes);
    this.jobSettled(reply.jobId);
    if ('results' in reply) {
      this.waiter.jobCompleted(reply.results);
      return;
    }
    const failed = () => this.waiter.jobFailed(reply.jobId, reply.failed);
    if (seams?.beforeFailed) void seams.beforeFailed(reply.jobId).then(failed);
    else failed();
  }
}
