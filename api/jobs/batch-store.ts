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
  /** While open: the index (among distinct applicants) of the first one a poll found unanswered. */
  o: z.number().int().nonnegative().optional(),
});

export interface BatchRecord {
  modelVersion: string;
  /** The applicants' public ids in request order, duplicates included. */
  ids: string[];
  /** While open: the distinct applicant (by index) a poll last found unanswered, to look at first next time. */
  firstOpen?: number;
  outcome?: { answers: Score[] } | { error: string };
}

/**
 * Batch records of asynchronous batches, on the queue's Redis, for JOB_RETENTION_SECONDS. Written
 * when the batch is accepted, once when a poll first finds it finished, and in between only when a
 * poll that read every answer found an earlier applicant still open (so later polls look there). Ids
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
    return {
      modelVersion: stored.v,
      ids: stored.c,
      ...(stored.o !== undefined ? { firstOpen: stored.o } : {}),
      ...(outcome ? { outcome } : {}),
    };
  }

  /** Stores a finished batch's outcome in its record, keeping its expiry; a record already gone stays gone. */
  finish(id: string, record: BatchRecord, outcome: { answers: Score[] } | { error: string }): Promise<void> {
    return this.rewrite(id, {
      v: record.modelVersion,
      c: record.ids,
      ...('answers' in outcome ? { a: outcome.answers } : { e: outcome.error }),
    });
  }

  /** Remembers which distinct applicant of an open batch to look at first on the next poll. */
  markOpen(id: string, record: BatchRecord, firstOpen: number): Promise<void> {
    return this.rewrite(id, { v: record.modelVersion, c: record.ids, o: firstOpen });
  }

  private async rewrite(id: string, stored: z.infer<typeof StoredBatch>): Promise<void> {
    const value = JSON.stringify(stored);
    await orUnavailable(() => this.redis.set(batchKey(this.prefix, id), value, 'KEEPTTL', 'XX'));
  }
}
