import { z } from 'zod';
import { orUnavailable } from '../../shared/errors.js';
import { batchKey } from '../../shared/keys.js';
import type { RedisClient } from '../../shared/redis.js';
import { Score } from '../../shared/score.js';

/**
 * What a batch record holds: while open, which applicants it asked about; once finished, the
 * outcome too, so later polls read one key whatever the batch's size.
 */
const StoredBatch = z.object({
  /** Model version the batch was asked under. */
  v: z.string(),
  /** The applicants' public ids (opaque) in request order, duplicates included. */
  c: z.array(z.string()),
  /** Once completed: the answer of each distinct applicant, in order of first occurrence. */
  a: z.array(Score).optional(),
  /** Once failed: why (safe to show the client). */
  e: z.string().optional(),
});

export interface BatchRecord {
  modelVersion: string;
  /** The applicants' public ids in request order, duplicates included. */
  ids: string[];
  outcome?: { answers: Score[] } | { error: string };
}

/**
 * Batch records of asynchronous batches, on the queue's Redis, for JOB_RETENTION_SECONDS. Written
 * twice at most: when the batch is accepted, and once when a poll first finds it finished. Ids
 * are random: a client cannot reach another client's batch by guessing.
 */
export class BatchStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly retentionS: number,
    /** A fresh random id (PublicIds.newBatchId: the shape of an applicant's id, never one). */
    private readonly newId: () => string,
  ) {}

  async create(modelVersion: string, applicantIds: readonly string[]): Promise<string> {
    const id = this.newId();
    const value = JSON.stringify({ v: modelVersion, c: applicantIds });
    await orUnavailable(() => this.redis.set(batchKey(this.prefix, id), value, 'EX', this.retentionS));
    return id;
  }

  /** One GET; undefined when there is no such batch (or its record does not decode). */
  async read(id: string): Promise<BatchRecord | undefined> {
    const value = await orUnavailable(() => this.redis.get(batchKey(this.prefix, id)));
    if (!value) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      return undefined;
    }
    const stored = StoredBatch.safeParse(json).data;
    if (!stored) return undefined;
    const outcome = stored.a ? { answers: stored.a } : stored.e !== undefined ? { error: stored.e } : undefined;
    return { modelVersion: stored.v, ids: stored.c, ...(outcome ? { outcome } : {}) };
  }

  /** Stores a finished batch's outcome in its record, keeping its expiry; a record already gone stays gone. */
  async finish(id: string, record: BatchRecord, outcome: { answers: Score[] } | { error: string }): Promise<void> {
    const value = JSON.stringify({
      v: record.modelVersion,
      c: record.ids,
      ...('answers' in outcome ? { a: outcome.answers } : { e: outcome.error }),
    });
    await orUnavailable(() => this.redis.set(batchKey(this.prefix, id), value, 'KEEPTTL', 'XX'));
  }
}
