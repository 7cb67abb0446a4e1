import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../../shared/redis.js';
import { orUnavailable } from '../../shared/errors.js';
import { batchKey } from '../../shared/keys.js';

const BATCH_ID = /^batch-[0-9a-f]{32}$/;

export interface BatchRecord {
  modelVersion: string;
  /** Applicant codes in request order, duplicates included. */
  codes: string[];
}

/**
 * Remembers which applicants an asynchronous batch asked about, for JOB_RETENTION_SECONDS; the
 * answers themselves are read from the cache when the batch is polled. Ids are random: a client
 * cannot reach another client's batch by guessing.
 */
export class BatchStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly retentionS: number,
  ) {}

  static isBatchId(id: string): boolean {
    return BATCH_ID.test(id);
  }

  async create(record: BatchRecord): Promise<string> {
    const id = `batch-${randomUUID().replaceAll('-', '')}`;
    await orUnavailable(() =>
      this.redis.set(
        batchKey(this.prefix, id),
        `${record.modelVersion}|${record.codes.join(',')}`,
        'EX',
        this.retentionS,
      ),
    );
    return id;
  }

  async read(id: string): Promise<BatchRecord | undefined> {
    const value = await orUnavailable(() => this.redis.get(batchKey(this.prefix, id)));
    if (!value) return undefined;
    const [modelVersion = '', codes = ''] = value.split('|');
    return { modelVersion, codes: codes.split(',') };
  }
}
