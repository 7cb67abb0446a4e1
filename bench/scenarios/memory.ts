import { loadConfig } from '../../shared/config.js';
import { applicantCode, KeySpace } from '../../shared/keys.js';
import { PublicIds } from '../../shared/public-id.js';
import { deriveKey } from '../../shared/secrets.js';
import { applicantAt } from '../applicants.js';
import type { BenchRedis } from '../bench-redis.js';
import type { BenchContext } from '../context.js';
import type { MemoryResult } from '../results.js';
import type { ServiceStack } from '../service.js';

/** Copies live this long should the bench die before deleting them. */
const COPY_TTL_MS = 60_000;

/**
 * The bench's cache prefix is longer than production's, and MEMORY USAGE counts the key's bytes,
 * so the entries are measured as copies (DUMP/RESTORE: same encoding) under keys as long as the
 * default prefix gives: the same prefix length, but a character no service uses by default. RESTORE
 * without REPLACE never overwrites anyone's key; a name that is taken is skipped.
 */
async function productionSized(
  redis: BenchRedis,
  keys: readonly string[],
  renamed: readonly string[],
): Promise<number[]> {
  const dumps = ((await redis.client.pipeline(keys.map((key) => ['dumpBuffer', key])).exec()) ?? []).map(
    ([error, dump]) => {
      if (error || !(dump instanceof Buffer)) throw new Error(`DUMP failed: ${error?.message ?? 'no such key'}`);
      return dump;
    },
  );
  const restored = (
    (await redis.client.pipeline(renamed.map((key, i) => ['restore', key, COPY_TTL_MS, dumps[i]!])).exec()) ?? []
  ).map(([error]) => !error);
  try {
    const copies = renamed.filter((_, i) => restored[i]);
    if (copies.length === 0) throw new Error('no copy could be restored');
    return await redis.memoryUsage(copies);
  } finally {
    const copies = renamed.filter((_, i) => restored[i]);
    if (copies.length > 0) await redis.client.unlink(...copies);
  }
}

function summarize(sizes: readonly number[]): { count: number; mean: number; min: number; max: number } {
  return {
    count: sizes.length,
    mean: sizes.reduce((sum, bytes) => sum + bytes, 0) / sizes.length,
    min: Math.min(...sizes),
    max: Math.max(...sizes),
  };
}

/**
 * MEMORY USAGE (key and value together, every field counted) of each cached answer of the hit
 * pool, which the service itself wrote. Key names come from shared/keys.ts, their one owner; every
 * one must exist, so a changed layout fails here instead of measuring nothing.
 */
export async function measureMemory(
  ctx: BenchContext,
  stack: ServiceStack,
  modelVersion: string,
): Promise<MemoryResult> {
  // Keys name applicants by their public id, which the stack's SERVICE_SECRET makes.
  const publicIds = new PublicIds(deriveKey(stack.env.SERVICE_SECRET!, 'public-id'));
  const applicantIds = Array.from({ length: ctx.settings.hitPool }, (_, i) =>
    publicIds.forApplicant(modelVersion, applicantCode(applicantAt(i))),
  );
  const { cachePrefix, queuePrefix } = stack.namespace;
  const keySpace = KeySpace.of(loadConfig({ CACHE_PREFIX: cachePrefix, QUEUE_PREFIX: queuePrefix }));
  const keys = applicantIds.map((applicantId) => keySpace.score(modelVersion, applicantId));
  const asWritten = await ctx.redis.memoryUsage(keys);
  const missing = asWritten.filter((bytes) => bytes === 0).length;
  if (missing > 0) throw new Error(`${missing} of ${keys.length} hit-pool answers not found under ${cachePrefix}`);

  const defaults = KeySpace.of(loadConfig({}));
  const lookalike = new KeySpace('~'.repeat(defaults.cachePrefix.length), defaults.bookkeepingPrefix);
  const renamed = applicantIds.map((applicantId) => lookalike.score(modelVersion, applicantId));
  const sized = summarize(await productionSized(ctx.redis, keys, renamed));

  const claims = (
    await ctx.redis.memoryUsage(applicantIds.map((applicantId) => keySpace.claim(modelVersion, applicantId)))
  ).filter((bytes) => bytes > 0);
  return {
    entries: sized.count,
    meanBytes: sized.mean,
    minBytes: sized.min,
    maxBytes: sized.max,
    exampleKey: defaults.score(modelVersion, applicantIds[0]!),
    asWritten: { prefix: cachePrefix, meanBytes: summarize(asWritten).mean },
    claimBytes: claims.length ? summarize(claims).mean : null,
  };
}
