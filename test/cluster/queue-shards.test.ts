import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSlot } from '../../shared/hash-slot.js';
import { queueShardPrefixes, shardOf } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import { expectedAnswer, readOracleManifest } from '../oracle/manifest-scorer.js';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { InProcessService } from './in-process-service.js';

const manifest = readOracleManifest();
const SHARDS = 3;
const OPERATOR = { ADMIN_USER: 'operator', ADMIN_PASSWORD: 'correct-horse-battery' };
const AUTH = { authorization: `Basic ${Buffer.from('operator:correct-horse-battery').toString('base64')}` };

const closeTo = (score: Score, expected: { probability: number }) =>
  Math.abs(score.probability - expected.probability) <= 0.5e-6 + 1e-12;

describe('QUEUE_SHARDS=3 on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  let service: InProcessService;
  const pool = distinctApplicants(1000, 200);
  let next = 0;
  const fresh = (n: number) => pool.slice(next, (next += n));

  beforeAll(async () => {
    cluster = await RedisCluster.start(3);
    service = new InProcessService(
      InProcessService.configFor({ REDIS_URL: cluster.url, QUEUE_SHARDS: String(SHARDS), ...OPERATOR }),
    );
    await service.startGateway();
    await service.startWorker();
  });
  afterAll(async () => {
    await service?.stop();
    await cluster?.stop();
  });

  it('readiness: one worker process consumes every shard -> 200 with 1 worker', async () => {
    await expect.poll(async () => (await service.get('/readyz')).response.status, { timeout: 5000 }).toBe(200);
    expect((await service.get('/readyz', AUTH)).body).toEqual({ status: 'ready', workers: 1 });
  });

  it('30 distinct misses -> 200 with the manifest answers, answered from every shard; queue keys on every master', async () => {
    const applicants = fresh(30);

    const responses = await Promise.all(applicants.map((a) => service.post('/scores', a)));

    expect(responses.map((r) => [r.status, r.headers.get('x-cache')])).toEqual(applicants.map(() => [200, 'MISS']));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Score[];
    bodies.forEach((body, i) => expect(closeTo(body, expectedAnswer(manifest, applicants[i]!))).toBe(true));
    const shardsAsked = new Set(applicants.map((a) => shardOf(service.publicId(a), SHARDS)));
    expect(shardsAsked.size).toBe(SHARDS);
    const { queues } = service.gateways[0]!.gateway;
    for (let shard = 0; shard < SHARDS; shard++) {
      expect(await queues.at(shard).getCompletedCount(), `shard ${shard}`).toBeGreaterThan(0);
    }
    const mastersWithQueueKeys = new Set<number>();
    for (const prefix of queueShardPrefixes(service.config.QUEUE_PREFIX, SHARDS)) {
      const byMaster = await cluster.keysByMaster(`${prefix}:score:`);
      const holding = [...byMaster].filter(([, keys]) => keys.length > 0).map(([port]) => port);
      // A shard's keys share its hash tag's slot, so they live on one master.
      expect(holding, `${prefix} (slot ${hashSlot(prefix)})`).toHaveLength(1);
      mastersWithQueueKeys.add(holding[0]!);
    }
    expect(mastersWithQueueKeys.size).toBe(3);
  });

  it('20 concurrent identical misses on a second gateway and the first -> 1 model run, one answer', async () => {
    const [applicant] = fresh(1);
    const second = await service.startGateway();
    const runsBefore = service.modelRuns;

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => service.post('/scores', applicant, {}, i % 2 ? second : service.url)),
    );

    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    for (const body of (await Promise.all(responses.map((r) => r.json()))) as Score[]) {
      expect(closeTo(body, expectedAnswer(manifest, applicant!))).toBe(true);
    }
    expect(service.modelRuns - runsBefore).toBe(1);
  });
});
