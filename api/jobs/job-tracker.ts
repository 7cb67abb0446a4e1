import type { JobState } from 'bullmq';
import { orUnavailable } from '../../shared/errors.js';
import { claimKey, scoreKey } from '../../shared/keys.js';
import { ScoreJobResult, applicantId, parseApplicantId } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import type { ScoreCache } from '../../shared/score-cache.js';
import { NotFound } from '../errors.js';
import type { ClaimStore } from '../scoring/claims.js';
import type { ScoreQueue } from '../scoring/scorer.js';
import { BatchStore } from './batch-store.js';

export type JobStatusName = 'queued' | 'active' | 'completed' | 'failed';

export interface JobStatus {
  id: string;
  status: JobStatusName;
  result?: Score | Score[];
  error?: string;
}

/** BullMQ's states as a client sees them: waiting, delayed (a retry's backoff) and the like are all "queued". */
function clientStatus(state: JobState | 'unknown'): JobStatusName | undefined {
  if (state === 'unknown') return undefined;
  if (state === 'active' || state === 'completed' || state === 'failed') return state;
  return 'queued';
}

/** Rank of a batch's status by its least advanced item: failed beats queued beats active. */
const BATCH_RANK: Record<JobStatusName, number> = { failed: 3, queued: 2, active: 1, completed: 0 };

export interface JobTrackerDeps {
  cache: ScoreCache;
  queue: ScoreQueue;
  batches: BatchStore;
  claims: ClaimStore;
  cachePrefix: string;
}

/**
 * Answers polls. A single applicant's id is its content address, so once its answer is cached the
 * cache alone answers, whether or not BullMQ still keeps the job; before that, the applicant's claim
 * names the job scoring it. A batch is read from its record.
 */
export class JobTracker {
  constructor(private readonly deps: JobTrackerDeps) {}

  async status(id: string): Promise<JobStatus> {
    if (BatchStore.isBatchId(id)) return this.batchStatus(id);
    const parsed = parseApplicantId(id);
    if (!parsed) throw new NotFound(`job ${id}`);
    const status = await this.singleStatus(parsed.modelVersion, parsed.code);
    if (!status) throw new NotFound(`job ${id}`);
    return { id, ...status };
  }

  private async singleStatus(modelVersion: string, code: string): Promise<Omit<JobStatus, 'id'> | undefined> {
    const cached = await this.deps.cache.read(scoreKey(this.deps.cachePrefix, modelVersion, code));
    if (cached) return { status: 'completed', result: cached };
    const holder = await this.deps.claims.holder(claimKey(this.deps.cachePrefix, modelVersion, code));
    if (!holder) return undefined;
    // State first, then the job: a job read before it completed would carry no result yet.
    const status = clientStatus(await orUnavailable(() => this.deps.queue.getJobState(holder)));
    if (!status) return undefined;
    if (status === 'queued' || status === 'active') return { status };
    const job = await orUnavailable(() => this.deps.queue.getJob(holder));
    if (!job) return undefined;
    if (status === 'completed') {
      const id = applicantId(modelVersion, code);
      const item = ScoreJobResult.safeParse(job.returnvalue).data?.results.find((result) => result.id === id);
      if (!item) return undefined;
      return 'score' in item ? { status, result: item.score } : { status: 'failed', error: item.error };
    }
    return { status, error: job.failedReason };
  }

  private async batchStatus(id: string): Promise<JobStatus> {
    const record = await this.deps.batches.read(id);
    if (!record) throw new NotFound(`job ${id}`);
    const unique = [...new Set(record.codes)];
    const cached = await this.deps.cache.readMany(
      unique.map((code) => scoreKey(this.deps.cachePrefix, record.modelVersion, code)),
    );
    const answers = new Map(unique.flatMap((code, i) => (cached[i] ? [[code, cached[i]] as const] : [])));
    if (answers.size === unique.length)
      return { id, status: 'completed', result: record.codes.map((code) => answers.get(code)!) };

    const open = unique.filter((code) => !answers.has(code));
    const statuses = await Promise.all(open.map((code) => this.singleStatus(record.modelVersion, code)));
    let worst: Omit<JobStatus, 'id'> = { status: 'completed' };
    open.forEach((code, i) => {
      // An item with neither a job nor an answer lost its answer to expiry before the batch was read.
      const item = statuses[i] ?? { status: 'failed', error: 'the answer expired; submit the batch again' };
      if (item.status === 'completed' && item.result && !Array.isArray(item.result)) answers.set(code, item.result);
      if (BATCH_RANK[item.status] > BATCH_RANK[worst.status]) worst = item;
    });
    if (answers.size === unique.length)
      return { id, status: 'completed', result: record.codes.map((code) => answers.get(code)!) };
    return worst.status === 'failed'
      ? { id, status: 'failed', error: worst.error ?? 'an applicant failed' }
      : { id, status: worst.status };
  }
}
