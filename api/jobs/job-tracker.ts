import type { JobState } from 'bullmq';
import { orUnavailable } from '../../shared/errors.js';
import { claimKey, scoreKey } from '../../shared/keys.js';
import { PublicIds } from '../../shared/public-id.js';
import { ScoreJobResult } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import type { ScoreCache } from '../../shared/score-cache.js';
import { NotFound } from '../errors.js';
import type { ClaimStore } from '../scoring/claims.js';
import type { ClientBudget } from '../scoring/client-budget.js';
import type { ScoreQueue } from '../scoring/scorer.js';
import type { BatchRecord, BatchStore } from './batch-store.js';

export type JobStatusName = 'queued' | 'active' | 'completed' | 'failed';

export interface JobStatus {
  id: string;
  status: JobStatusName;
  result?: Score | Score[];
  error?: string;
  /** The BullMQ job that scored (or scores) it, while BullMQ may still keep it: for operators. */
  job?: string;
}

/** BullMQ's states as a client sees them: waiting, delayed (a retry's backoff) and the like are all "queued". */
function clientStatus(state: JobState | 'unknown'): JobStatusName | undefined {
  if (state === 'unknown') return undefined;
  if (state === 'active' || state === 'completed' || state === 'failed') return state;
  return 'queued';
}

export interface JobTrackerDeps {
  cache: ScoreCache;
  queue: ScoreQueue;
  batches: BatchStore;
  claims: ClaimStore;
  /** Per-client budget of queue-Redis work: a poll costs 1, reading an open batch's answers 1 per applicant. */
  budget: ClientBudget;
  ids: PublicIds;
  cachePrefix: string;
}

/**
 * Answers polls. A single applicant's id decrypts to its model version and code, so once its answer is cached the
 * cache alone answers, whether or not BullMQ still keeps the job; before that, the applicant's claim
 * names the job scoring it. A batch is read from its record; a finished batch's outcome is stored in
 * the record by the first poll that finds it finished, so every later poll is one read.
 */
export class JobTracker {
  constructor(private readonly deps: JobTrackerDeps) {}

  /** Every poll costs `client` one unit of its budget (429 past it), whatever the id. */
  async status(id: string, client: string): Promise<JobStatus> {
    await this.deps.budget.take(client);
    const parsed = this.deps.ids.parse(id);
    if (parsed) {
      const status = await this.singleStatus(parsed.modelVersion, id);
      if (!status) throw new NotFound(`job ${id}`);
      return { id, ...status, ...(await this.jobOf(parsed.modelVersion, id)) };
    }
    const record = PublicIds.isPublicId(id) ? await this.deps.batches.read(id) : undefined;
    if (!record) throw new NotFound(`job ${id}`);
    const status = await this.batchStatus(id, record, client);
    // A batch may span several jobs; its last applicant's job is the one that finishes it.
    return { ...status, ...(await this.jobOf(record.modelVersion, record.ids.at(-1)!)) };
  }

  /** The job holding an applicant's claim, for operators (claims live as long as BullMQ keeps jobs). */
  private async jobOf(modelVersion: string, applicantId: string): Promise<{ job?: string }> {
    const holder = await this.deps.claims.holder(claimKey(this.deps.cachePrefix, modelVersion, applicantId));
    return holder ? { job: holder } : {};
  }

  private async singleStatus(modelVersion: string, id: string): Promise<Omit<JobStatus, 'id'> | undefined> {
    const cached = await this.deps.cache.read(scoreKey(this.deps.cachePrefix, modelVersion, id));
    if (cached) return { status: 'completed', result: cached };
    const holder = await this.deps.claims.holder(claimKey(this.deps.cachePrefix, modelVersion, id));
    if (!holder) return undefined;
    // State first, then the job: a job read before it completed would carry no result yet.
    const status = clientStatus(await orUnavailable(() => this.deps.queue.getJobState(holder)));
    if (!status) return undefined;
    if (status === 'queued' || status === 'active') return { status };
    const job = await orUnavailable(() => this.deps.queue.getJob(holder));
    if (!job) return undefined;
    if (status === 'completed') {
      const item = ScoreJobResult.safeParse(job.returnvalue).data?.results.find((result) => result.id === id);
      if (!item) return undefined;
      return 'score' in item ? { status, result: item.score } : { status: 'failed', error: item.error };
    }
    return { status, error: job.failedReason };
  }

  private async batchStatus(id: string, record: BatchRecord, client: string): Promise<JobStatus> {
    const unique = [...new Set(record.ids)];
    const { outcome } = record;
    if (outcome) return this.finished(id, record, unique, outcome);

    // One applicant stands for the batch: the last (it went into the queue last, so it is about the
    // last answered) or the first one a poll found open. While it is open the batch is too, and a
    // poll costs a few calls, not one per applicant.
    const watched = unique[record.firstOpen ?? unique.length - 1]!;
    const watchedStatus = await this.singleStatus(record.modelVersion, watched);
    if (watchedStatus?.status === 'queued' || watchedStatus?.status === 'active') {
      return { id, status: watchedStatus.status };
    }

    await this.deps.budget.take(client, unique.length);
    const cached = await this.deps.cache.readMany(
      unique.map((applicantId) => scoreKey(this.deps.cachePrefix, record.modelVersion, applicantId)),
    );
    const answers: Array<Score | undefined> = [...cached];
    for (const [i, applicantId] of unique.entries()) {
      if (answers[i]) continue;
      // Not cached (yet, or evicted): its job says how it stands; the first one still open decides.
      // An item with neither a job nor an answer lost its answer to expiry before the batch was read.
      const item = (await this.singleStatus(record.modelVersion, applicantId)) ?? {
        status: 'failed',
        error: 'the answer expired; submit the batch again',
      };
      if (item.status === 'failed')
        return this.finish(id, record, unique, { error: item.error ?? 'an applicant failed' });
      if (item.status !== 'completed') {
        await this.deps.batches.markOpen(id, record, i);
        return { id, status: item.status };
      }
      answers[i] = item.result as Score;
    }
    return this.finish(id, record, unique, { answers: answers as Score[] });
  }

  private async finish(
    id: string,
    record: BatchRecord,
    unique: string[],
    outcome: { answers: Score[] } | { error: string },
  ): Promise<JobStatus> {
    await this.deps.batches.finish(id, record, outcome);
    return this.finished(id, record, unique, outcome);
  }

  private finished(
    id: string,
    record: BatchRecord,
    unique: string[],
    outcome: { answers: Score[] } | { error: string },
  ): JobStatus {
    if ('error' in outcome) return { id, status: 'failed', error: outcome.error };
    const answers = new Map(unique.map((applicantId, i) => [applicantId, outcome.answers[i]!]));
    return { id, status: 'completed', result: record.ids.map((applicantId) => answers.get(applicantId)!) };
  }
}
