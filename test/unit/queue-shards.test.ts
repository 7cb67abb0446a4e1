import { describe, expect, it } from 'vitest';
import { hashSlot } from '../../shared/hash-slot.js';
import { newScoreJobId, queueShardPrefixes, shardOf, shardOfJob } from '../../shared/queues.js';
import { PublicIds } from '../../shared/public-id.js';

const ids = new PublicIds(Buffer.alloc(32, 7));
const applicantIds = Array.from({ length: 3000 }, (_, i) => ids.forApplicant('1a2b3c4d', String(i + 1)));

describe('queue shards', () => {
  it('hashSlot: matches the slots Redis documents for CLUSTER KEYSLOT (tags, empty tags, no tags)', () => {
    // From the Redis Cluster specification and the CLUSTER KEYSLOT page.
    expect(hashSlot('somekey')).toBe(11058);
    expect(hashSlot('foo{hash_tag}')).toBe(2515);
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('{user1000}.followers'));
    expect(hashSlot('{}foo')).not.toBe(hashSlot('foo'));
    expect(hashSlot('123456789')).toBe(0x31c3 % 16384);
  });

  it('shardOf: the same public id -> the same shard, every call; 1 shard -> always 0', () => {
    for (const id of applicantIds.slice(0, 100)) {
      expect(shardOf(id, 3)).toBe(shardOf(id, 3));
      expect(shardOf(id, 1)).toBe(0);
    }
  });

  it('shardOf: 3,000 applicants spread over 3 shards within 10% of a third each', () => {
    const counts = [0, 0, 0];
    for (const id of applicantIds) counts[shardOf(id, 3)]! += 1;
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(100);
  });

  it('job ids: shard 0 keeps the unsharded form m-<uuid>; other shards are read back from the id', () => {
    expect(newScoreJobId(0)).toMatch(/^m-[0-9a-f-]{36}$/);
    for (const shard of [0, 1, 2, 17]) expect(shardOfJob(newScoreJobId(shard))).toBe(shard);
    expect(shardOfJob('some-other-id')).toBe(0);
  });

  it('queueShardPrefixes: 1 shard -> QUEUE_PREFIX unchanged; 3 -> shard 0 unchanged, each tag in its own third of the slots', () => {
    expect(queueShardPrefixes('{scoring}', 1)).toEqual(['{scoring}']);
    const prefixes = queueShardPrefixes('{scoring}', 3);
    expect(prefixes[0]).toBe('{scoring}');
    expect(prefixes).toHaveLength(3);
    for (const prefix of prefixes) expect(prefix).toMatch(/^\{scoring(-\d+)?\}$/);
    const thirds = prefixes.map((prefix) => Math.floor((hashSlot(prefix) * 3) / 16384));
    expect(new Set(thirds).size).toBe(3);
    expect(queueShardPrefixes('{scoring}', 3)).toEqual(prefixes);
  });

  it('queueShardPrefixes: a prefix without a hash tag gets its suffix at the end', () => {
    const [first, second] = queueShardPrefixes('scoring', 2);
    expect(first).toBe('scoring');
    expect(second).toMatch(/^scoring-\d+$/);
  });
});
