import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway } from '../../api/gateway.js';
import { pino } from 'pino';
import { StartupError } from '../../shared/errors.js';
import { createRedis } from '../../shared/redis.js';
import type { Score } from '../../shared/score.js';
import type { ScoringModel } from '../../worker/credit-model.js';
import { loadModel } from '../../worker/scoring-worker.js';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { ServiceProcess, waitForHttp, waitForOutput } from '../support/processes.js';
import { freePort, testNamespace } from '../support/redis.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { waitUntil } from '../support/wait.js';
import { InProcessService } from './in-process-service.js';

interface JobBody {
  id: string;
  status: string;
  result?: Score | Score[];
}

/** An operator's credentials: /readyz tells only them why it is not ready. */
const OPERATOR = { ADMIN_USER: 'operator', ADMIN_PASSWORD: 'correct-horse-battery' };
const AUTH = { authorization: `Basic ${Buffer.from('operator:correct-horse-battery').toString('base64')}` };

describe('the service on a 3-master Redis Cluster (REDIS_URL=redis+cluster://…)', () => {
  let cluster: RedisCluster;
  let service: InProcessService;
  let model: ScoringModel;
  /** The test's own reads, through a cluster client of its own. */
  let reader: Cluster;
  // Each test takes applicants no other test used, so every miss is a real miss.
  const pool = distinctApplicants(0, 400);
  let next = 0;
  const fresh = (n: number) => pool.slice(next, (next += n));
  const entryKey = (applicant: (typeof pool)[number]) =>
    service.keys.score(service.modelVersion, service.publicId(applicant));

  beforeAll(async () => {
    cluster = await RedisCluster.start(3);
    service = new InProcessService(InProcessService.configFor({ REDIS_URL: cluster.url, ...OPERATOR }));
    await service.startGateway();
    model = await loadModel(service.config);
    reader = cluster.client();
  });
  afterAll(async () => {
    await reader?.quit();
    await service?.stop();
    await cluster?.stop();
  });

  it('readiness: no worker -> 503 NOT_READY saying so; a worker joins -> 200 with its count', async () => {
    const before = await service.get<{ code: string; detail: string }>('/readyz', AUTH);
    expect(before.response.status).toBe(503);
    expect(before.body).toMatchObject({ code: 'NOT_READY', detail: 'no worker is connected to the queue' });

    await service.startWorker();
    // The "no worker" verdict stands for up to a second (readiness is checked at most once a second).
    await expect.poll(async () => (await service.get('/readyz')).response.status, { timeout: 5000 }).toBe(200);
    const after = await service.get<{ status: string; workers: number }>('/readyz', AUTH);

    expect(after.response.status).toBe(200);
    expect(after.body).toEqual({ status: 'ready', workers: 1 });
  });

  it('sync /scores: MISS writes one entry with a TTL on the cluster; the same applicant again -> HIT, same answer', async () => {
    const [applicant] = fresh(1);

    const miss = await service.post('/scores', applicant);
    const missBody = (await miss.json()) as Score;
    const hit = await service.post('/scores', applicant);

    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(missBody).toEqual((await model.score([applicant!]))[0]);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(await hit.json()).toEqual(missBody);
    expect(await reader.ttl(entryKey(applicant!))).toBeGreaterThan(service.config.CACHE_TTL_SECONDS - 5);
    expect(await reader.hget(entryKey(applicant!), 'v')).toBe(service.modelVersion);
  });

  it('the single-view endpoints: a MISS on /probabilities, then HITs on /decisions and /risk_categories', async () => {
    const [applicant] = fresh(1);
    const [expected] = await model.score([applicant!]);

    const probability = await service.post('/probabilities', applicant);
    const decision = await service.post('/decisions', applicant);
    const risk = await service.post('/risk_categories', applicant);

    expect(probability.headers.get('x-cache')).toBe('MISS');
    expect(await probability.json()).toEqual({ probability: expected!.probability });
    expect(decision.headers.get('x-cache')).toBe('HIT');
    expect(await decision.json()).toEqual({ decision: expected!.decision });
    expect(risk.headers.get('x-cache')).toBe('HIT');
    expect(await risk.json()).toEqual({ risk_category: expected!.risk_category });
  });

  it('/scores/batch with hits, misses and duplicates: answers in request order, each distinct miss scored once, entries on every master', async () => {
    const cached = fresh(5);
    await service.post('/scores/batch', { applicants: cached });
    const misses = fresh(40);
    const applicants = [...misses.slice(0, 20), ...cached, misses[0]!, ...misses.slice(20), cached[0]!, misses[7]!];
    const scoredBefore = service.applicantsScored;

    const response = await service.post('/scores/batch', { applicants });
    const { results } = (await response.json()) as { results: Score[] };

    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('MISS');
    expect(results).toEqual(await model.score(applicants));
    // The worker's own 'completed' event may come just after the reply that answered the request.
    await expect.poll(() => service.applicantsScored - scoredBefore, { timeout: 10_000 }).toBe(misses.length);
    const byMaster = await cluster.keysByMaster(`${service.config.CACHE_PREFIX}:${service.modelVersion}:`);
    const entries = [...byMaster.values()].flat();
    expect(entries).toEqual(expect.arrayContaining([...cached, ...misses].map(entryKey)));
    // 45 keys without a hash tag spread over the slots of all three masters (chance of a miss: ~3 × (2/3)^45).
    expect([...byMaster.values()].filter((keys) => keys.length > 0).length).toBeGreaterThanOrEqual(2);
  });

  it("BullMQ's keys share one slot (QUEUE_PREFIX is a hash tag), so they all live on one master", async () => {
    const byMaster = await cluster.keysByMaster(service.config.QUEUE_PREFIX);
    const holders = [...byMaster.values()].filter((keys) => keys.length > 0);

    expect(holders).toHaveLength(1);
    expect(holders[0]!.length).toBeGreaterThan(3);
  });

  it('POST /jobs with one applicant: 202 and Location; polling it -> completed with the score', async () => {
    const [applicant] = fresh(1);

    const accepted = await service.post('/jobs', { applicant });
    const { id } = (await accepted.json()) as JobBody;
    const done = await waitUntil('the job to complete', async () => {
      const { body } = await service.get<JobBody>(`/jobs/${id}`);
      return body.status === 'completed' && body;
    });

    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toBe(`/jobs/${id}`);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(((await (await service.post('/jobs', { applicant })).json()) as JobBody).id).toBe(id);
    expect(done.result).toEqual((await model.score([applicant!]))[0]);
  });

  it('POST /jobs with a batch: 202 with a batch id; polling it -> completed, answers in request order', async () => {
    const applicants = fresh(12);
    const withDuplicate = [...applicants, applicants[3]!];

    const accepted = await service.post('/jobs', { applicants: withDuplicate });
    const { id } = (await accepted.json()) as JobBody;
    const done = await waitUntil('the batch to complete', async () => {
      const { body } = await service.get<JobBody>(`/jobs/${id}`);
      return body.status === 'completed' && body;
    });

    expect(accepted.status).toBe(202);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(done.result).toEqual(await model.score(withDuplicate));
  });

  it('coalescing storm: 60 concurrent identical new applicants over two gateway replicas -> one applicant scored, one answer', async () => {
    const peer = await service.startGateway();
    const [applicant] = fresh(1);
    const scoredBefore = service.applicantsScored;

    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => service.post('/scores', applicant, {}, i % 2 === 0 ? service.url : peer)),
    );
    const bodies = await Promise.all(responses.map((r) => r.json()));

    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    await expect.poll(() => service.applicantsScored - scoredBefore, { timeout: 10_000 }).toBe(1);
  });

  it('one master evicting (allkeys-lru) -> the gateway refuses to start, naming that master and the fix', async () => {
    const [evictingPort] = cluster.ports;
    await cluster.onEachMaster(async (node, port) => {
      if (port === evictingPort) await node.config('SET', 'maxmemory-policy', 'allkeys-lru');
    });
    const gateway = buildGateway(service.config, pino({ level: 'silent' }));
    try {
      const refusal = await gateway.whenReady().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(StartupError);
      expect((refusal as Error).message).toBe(
        `The queue's Redis at ${cluster.url} (master 127.0.0.1:${evictingPort}) uses maxmemory-policy allkeys-lru; ` +
          'BullMQ needs noeviction: set maxmemory-policy noeviction on it, or give the cache its own Redis with CACHE_REDIS_URL.',
      );
    } finally {
      await gateway.close();
      await cluster.onEachMaster((node) => node.config('SET', 'maxmemory-policy', 'noeviction'));
    }
  });

  it('createRedis on a redis+cluster:// URL -> an ioredis Cluster that reaches every slot', async () => {
    const client = createRedis(cluster.url, 'blocking', 'cluster-test');
    try {
      expect(client).toBeInstanceOf(Cluster);
      const keys = Array.from({ length: 30 }, (_, i) => `${service.config.CACHE_PREFIX}:probe:${i}`);
      await Promise.all(keys.map((key) => client.set(key, '1', 'EX', 60)));
      const byMaster = await cluster.keysByMaster(`${service.config.CACHE_PREFIX}:probe:`);
      expect([...byMaster.values()].flat().sort()).toEqual([...keys].sort());
    } finally {
      await client.quit();
    }
  });

  it('the built processes (dist/api/main.js, dist/worker/main.js) run unchanged on the cluster URL and shut down cleanly', async () => {
    const port = await freePort();
    const { cachePrefix, queuePrefix } = testNamespace();
    const env = { REDIS_URL: cluster.url, CACHE_PREFIX: cachePrefix, QUEUE_PREFIX: queuePrefix };
    const api = ServiceProcess.start('api/main.js', { ...env, PORT: String(port) });
    const worker = ServiceProcess.start('worker/main.js', env);
    const base = `http://127.0.0.1:${port}`;
    const [applicant] = fresh(1);
    try {
      await waitForHttp(`${base}/healthz`);
      await waitForOutput(worker, /worker ready/);
      const ready = await waitUntil('readiness', async () => (await fetch(`${base}/readyz`)).status === 200);
      const post = () =>
        fetch(`${base}/scores`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(applicant),
        });
      const miss = await post();
      const hit = await post();

      expect(ready).toBe(true);
      expect([miss.status, miss.headers.get('x-cache')]).toEqual([200, 'MISS']);
      expect([hit.status, hit.headers.get('x-cache')]).toEqual([200, 'HIT']);
      expect(await hit.json()).toEqual((await model.score([applicant!]))[0]);
      expect(await cluster.keysUnder(`${cachePrefix}:${service.modelVersion}:`)).toHaveLength(1);
      expect(await Promise.all([api.stop('SIGTERM'), worker.stop('SIGTERM')])).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
    } finally {
      await Promise.all([api.stop('SIGKILL'), worker.stop('SIGKILL')]);
    }
  });
});
