import type { JobState } from 'bullmq';
import { orUnavailable } from '../../shared/errors.js';
import type { KeySpace } from '../../shared/keys.js';
import { PublicIds } from '../../shared/public-id.js';
import { ScoreJobResult } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import type { ScoreCache } from '../../shared/score-cache.js';
import { NotFound } from '../../shared/errors.js';
import type { ClaimStore } from '../scoring/claims.js';
import type { ClientBudget } from '../scoring/client-budget.js';
import type { ScoreQueues } from '../scoring/score-queues.js';
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
  /** Asked by job id: the id names its shard. */
  queues: Pick<ScoreQueues, 'getJobState' | 'getJob'>;
  batches: BatchStore;
  claims: ClaimStore;
  /** Per-client budget of queue-Redis work: a poll costs 1, reading an open batch's answers 1 per applicant. */
  budget: ClientBudget;
  ids: PublicIds;
  keys: KeySpace;
}

/**
 * Answers polls. A single applicant's id decrypts to its model version (and names its cache key),
 * so once its answer is cached the cache alone answers, whether or not BullMQ still keeps the job;
 * before that, the applicant's claim names the job scoring it. A batch is read from its record,
 * which keeps the answers polls have found (see batchStatus).
 */
export class JobTracker {
  constructor(private readonly deps: JobTrackerDeps) {}

  /**
   * Every poll of a well-formed id costs `client` one unit of its budget (429 past it); anything
   * else is 404 at once, without touching Redis.
   */
  async status(id: string, client: string): Promise<JobStatus> {
    if (!PublicIds.isPublicId(id)) throw new NotFound(`job ${id}`);
    await this.deps.budget.take(client);
    const parsed = this.deps.ids.parse(id);
    if (parsed) {
      const status = await this.singleStatus(parsed.modelVersion, id);
      if (!status) throw new NotFound(`job ${id}`);
      return { id, ...status, ...(await this.jobOf(parsed.modelVersion, id)) };
    }
    const record = await this.deps.batches.read(id);
    if (!record) throw new NotFound(`job ${id}`);
    const status = await this.batchStatus(id, record, client);
    // A batch may span several jobs; its last applicant's job is the one that finishes it.
    return { ...status, ...(await this.jobOf(record.modelVersion, record.ids.at(-1)!)) };
  }

  /** The job holding an applicant's claim, for operators (claims live as long as BullMQ keeps jobs). */
  private async jobOf(modelVersion: string, applicantId: string): Promise<{ job?: string }> {
    const holder = await this.deps.claims.holder(this.deps.keys.claim(modelVersion, applicantId));
    return holder ? { job: holder } : {};
  }

  private async singleStatus(modelVersion: string, id: string): Promise<Omit<JobStatus, 'id'> | undefined> {
    const cached = await this.deps.cache.read(this.deps.keys.score(modelVersion, id));
    if (cached) return { status: 'completed', result: cached };
    const holder = await this.deps.claims.holder(this.deps.keys.claim(modelVersion, id));
    if (!holder) return undefined;
    // State first, then the job: a job read before it completed would carry no result yet.
    const status = clientStatus(await orUnavailable(() => this.deps.queues.getJobState(holder)));
    if (!status) return undefined;
    if (status === 'queued' || status === 'active') return { status };
    const job = await orUnavailable(() => this.deps.queues.getJob(holder));
    if (!job) return undefined;
    if (status === 'completed') {
      const item = ScoreJobResult.safeParse(job.returnvalue).data?.results.find((result) => result.id === id);
      if (!item) return undefined;
      return 'score' in item ? { status, result: item.score } : { status: 'failed', error: item.error };
    }
    return { status, error: job.failedReason };
  }

  /**
   * One applicant stands for the batch: the first whose answer no poll has found yet (or, before any
   * poll read answers, the last: it went into the queue last, so it is about the last answered).
   * While it is open the batch is too, and a poll costs a few calls. Otherwise the answers not yet
   * found are read (one unit each of the client's budget) and what was found is stored, so each
   * answer is read about once in the batch's life and a finished batch is one read.
   */
  private async batchStatus(id: string, record: BatchRecord, client: string): Promise<JobStatus> {
    const unique = [...new Set(record.ids)];
    if (record.error !== undefined) return { id, status: 'failed', error: record.error };
    const answered = unique.map((_, i) => record.answered[i] ?? null);
    const missing = unique.flatMap((_, i) => (answered[i] ? [] : [i]));
    if (missing.length === 0) return this.completed(id, record, unique, answered as Score[]);

    const watched = record.answered.length === 0 ? unique.length - 1 : missing[0]!;
    const watchedStatus = await this.singleStatus(record.modelVersion, unique[watched]!);
    if (watchedStatus?.status === 'queued' || watchedStatus?.status === 'active') {
      return { id, status: watchedStatus.status };
    }

    await this.deps.budget.take(client, missing.length);
    const cached = await this.deps.cache.readMany(
      missing.map((i) => this.deps.keys.score(record.modelVersion, unique[i]!)),
    );
    missing.forEach((index, i) => (answered[index] = cached[i] ?? null));
    for (const index of missing) {
      if (answered[index]) continue;
      // Not cached (yet, or evicted): its job says how it stands; the first one still open decides.
      // An item with neither a job nor an answer lost its answer to expiry before the batch was read.
      const item = (await this.singleStatus(record.modelVersion, unique[index]!)) ?? {
        status: 'failed',
        error: 'the answer expired; submit the batch again',
      };
      if (item.status === 'failed') {
        const error = item.error ?? 'an applicant failed';
        await this.deps.batches.update(id, { ...record, error });
        return { id, status: 'failed', error };
      }
      if (item.status !== 'completed') {
        await this.deps.batches.update(id, { ...record, answered });
        return { id, status: item.status };
      }
      answered[index] = item.result as Score;
    }
    await this.deps.batches.update(id, { ...record, answered });
    return this.completed(id, record, unique, answered as Score[]);
  }

  private completed(id: string, record: BatchRecord, unique: string[], answers: Score[]): JobStatus {
    const byId = new Map(unique.map((applicantId, i) => [applicantId, answers[i]!]));
    return { id, status: 'completed', result: record.ids.map((applicantId) => byId.get(applicantId)!) };
  }
}
