import type { Applicant } from '../../shared/applicant.js';
import type { KeySpace } from '../../shared/keys.js';
import type { PublicIds } from '../../shared/public-id.js';
import type { Score } from '../../shared/score.js';
import type { ScoreCache } from '../../shared/score-cache.js';
import { ScoringFailed } from '../../shared/errors.js';
import type { BatchStore } from '../jobs/batch-store.js';
import type { ClientBudget } from './client-budget.js';
import type { MissPath } from './miss-path.js';
import { distinct, toQuestion, type Question } from './question.js';

export type SingleAnswer = { kind: 'scored'; score: Score; cache: 'HIT' | 'MISS' } | { kind: 'pending'; jobId: string };

export type BatchAnswer = { kind: 'scored'; scores: Score[]; misses: number } | { kind: 'pending'; batchId: string };

export interface ScoreOptions {
  /** How long to wait for the worker; 0 enqueues and answers at once. */
  waitMs: number;
  requestId?: string;
  /** Who asks: misses count against this client's limit. Called only when a budget is spent (never on a hit). */
  client: () => string;
}

export interface ScorerDeps {
  cache: ScoreCache;
  misses: MissPath;
  /** Distinct uncached applicants per client (model work). */
  missLimit: ClientBudget;
  /** Queue-Redis writes per client: batch records, one unit per applicant. */
  writeLimit: ClientBudget;
  batches: BatchStore;
  /** Names applicants for clients (opaque ids). */
  ids: PublicIds;
  keys: KeySpace;
  modelVersion: string;
}

/**
 * Answers applicants from the cache when it can, otherwise through the queue, within a wait budget.
 * What is not answered in time is not lost: the caller gets a job or batch id to poll.
 */
export class Scorer {
  constructor(private readonly deps: ScorerDeps) {}

  get modelVersion(): string {
    return this.deps.modelVersion;
  }

  question(applicant: Applicant): Question {
    return toQuestion(applicant, this.deps.keys, this.deps.modelVersion, this.deps.ids);
  }

  async score(applicant: Applicant, { waitMs, requestId, client }: ScoreOptions): Promise<SingleAnswer> {
    const question = this.question(applicant);
    const cached = await this.deps.cache.read(question.key);
    if (cached) return { kind: 'scored', score: cached, cache: 'HIT' };
    await this.deps.missLimit.take(client());
    const outcome = (await this.deps.misses.resolve([question], waitMs, requestId)).get(question.code);
    if (outcome?.kind === 'failed') throw new ScoringFailed(outcome.reason);
    return outcome ? { kind: 'scored', score: outcome.score, cache: 'MISS' } : { kind: 'pending', jobId: question.id };
  }

  /**
   * Many applicants: hits in one pipelined read, the distinct misses in one bulk add, awaited
   * together. Each distinct miss costs one unit of the client's miss budget. What is not answered
   * within `waitMs` gets a batch record to poll, which costs one unit per applicant of the client's
   * write budget; a batch answered whole stores nothing.
   */
  async scoreMany(applicants: readonly Applicant[], { waitMs, requestId, client }: ScoreOptions): Promise<BatchAnswer> {
    const questions = applicants.map((a) => this.question(a));
    const unique = distinct(questions);
    const cached = await this.deps.cache.readMany(unique.map((q) => q.key));
    const answers = new Map<string, Score>();
    unique.forEach((q, i) => cached[i] && answers.set(q.code, cached[i]));

    const misses = unique.filter((q) => !answers.has(q.code));
    if (misses.length > 0) {
      await this.deps.missLimit.take(client(), misses.length);
      // Not waiting means a record for sure: refuse before any work is queued rather than after.
      if (waitMs === 0) await this.deps.writeLimit.take(client(), questions.length);
      const resolution = await this.deps.misses.resolve(misses, waitMs, requestId);
      for (const [code, outcome] of resolution) {
        if (outcome.kind === 'failed') {
          const index = questions.findIndex((q) => q.code === code);
          throw new ScoringFailed(`applicant ${index}: ${outcome.reason}`);
        }
        answers.set(code, outcome.score);
      }
    }
    if (answers.size === unique.length) {
      return { kind: 'scored', scores: questions.map((q) => answers.get(q.code)!), misses: misses.length };
    }
    if (waitMs > 0) await this.deps.writeLimit.take(client(), questions.length);
    const batchId = await this.deps.batches.create(
      this.deps.modelVersion,
      questions.map((q) => q.id),
    );
    return { kind: 'pending', batchId };
  }
}
