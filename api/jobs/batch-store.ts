import { z } from 'zod';
import { orUnavailable } from '../../shared/errors.js';
import type { KeySpace } from '../../shared/keys.js';
import type { RedisClient } from '../../shared/redis.js';
import { Score } from '../../shared/score.js';

/** A batch record as stored: short keys, it may hold a thousand answers. */
const StoredBatch = z.object({
  /** Model version the batch was asked under. */
  v: z.string(),
  /** The applicants' public ids (opaque) in request order, duplicates included. */
  c: z.array(z.string()),
  /** Per distinct applicant (in order of first occurrence), its answer once a poll found it, else null. */
  a: z.array(Score.nullable()).optional(),
  /** Once failed: why (safe to show the client). */
  e: z.string().optional(),
});
type StoredBatch = z.infer<typeof StoredBatch>;

export interface BatchRecord {
  modelVersion: string;
  /** The applicants' public ids in request order, duplicates included. */
  ids: string[];
  /**
   * Per distinct applicant (in order of first occurrence), its answer once a poll has found it, else
   * null (an empty array before any poll read answers). Complete when none is missing.
   */
  answered: Array<Score | null>;
  /** Set once the batch failed. */
  error?: string;
}

/**
 * Batch records of asynchronous batches, on the queue's Redis, for JOB_RETENTION_SECONDS. A poll
 * that reads answers stores the ones it found in the record, so no answer is read twice and a
 * finished batch is one read whatever its size. Ids are random: a client cannot reach another
 * client's batch by guessing.
 */
export class BatchStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeySpace,
    private readonly retentionS: number,
    /** A fresh random id (PublicIds.newBatchId: the shape of an applicant's id, never one). */
    private readonly newId: () => string,
  ) {}

  async create(modelVersion: string, applicantIds: readonly string[]): Promise<string> {
    const id = this.newId();
    const value = JSON.stringify({ v: modelVersion, c: [...applicantIds] } satisfies StoredBatch);
    await orUnavailable(() => this.redis.set(this.keys.batch(id), value, 'EX', this.retentionS));
    return id;
  }

  /** One GET; undefined when there is no such batch (or its record does not decode). */
  async read(id: string): Promise<BatchRecord | undefined> {
    const value = await orUnavailable(() => this.redis.get(this.keys.batch(id)));
    if (!value) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      return undefined;
    }
    const stored = StoredBatch.safeParse(json).data;
    if (!stored) return undefined;
    return {
      modelVersion: stored.v,
      ids: stored.c,
      answered: stored.a ?? [],
      ...(stored.e !== undefined ? { error: stored.e } : {}),
    };
  }

  /** Stores what polls learnt (more answers, or the failure), keeping the record's expiry; a record gone stays gone. */
  async update(id: string, record: BatchRecord): Promise<void> {
    const stored: StoredBatch = {
      v: record.modelVersion,
      c: record.ids,
      ...(record.answered.length > 0 ? { a: record.answered } : {}),
      ...(record.error !== undefined ? { e: record.error } : {}),
    };
    const value = JSON.stringify(stored);
    await orUnavailable(() => this.redis.set(this.keys.batch(id), value, 'KEEPTTL', 'XX'));
  }
}
