import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueShardPrefixes, shardOf, shardOfJob, type ScoreJobData } from '../../shared/queues.js';
import type { Score } from '../../shared/score.js';
import { startScoringWorker, loadModel } from '../../worker/scoring-worker.js';
import { pino } from 'pino';
import { expectedAnswer, readOracleManifest } from '../oracle/manifest-scorer.js';
import { distinctApplicant } from '../support/distinct-applicants.js';
import { keysUnder } from '../support/redis.js';
import { Stack } from '../support/stack.js';

const manifest = readOracleManifest();
const AUTH = { authorization: `Basic ${Buffer.from('admin:correct-horse-battery').toString('base64')}` };
const SHARDS = 3;

interface JobBody {
  id: string;
  status: string;
  result?: Score;
  links: { self: string; board?: string };
}

const closeTo = (score: Score, expected: { probability: number }) =>
  Math.abs(score.probability - expected.probability) <= 0.5e-6 + 1e-12;

describe('QUEUE_SHARDS=3 on one Redis', () => {
  let stack: Stack;
  let next = 0;
  /** A fresh applicant whose public id falls on `shard` (any shard when none is asked for). */
  const fresh = (shard?: number) => {
    for (;;) {
      const applicant = distinctApplicant(next++);
      if (shard === undefined || shardOf(stack.publicId(applicant), SHARDS) === shard) return applicant;
    }
  };

  beforeAll(async () => {
    stack = await Stack.start({ QUEUE_SHARDS: String(SHARDS), ADMIN_PASSWORD: 'correct-horse-battery' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('readiness: a worker consuming only shard 0 -> 503; a worker of every shard -> 200 with 1 worker', async () => {
    const onlyFirst = await startScoringWorker(
      { ...stack.config, QUEUE_SHARDS: 1 },
      pino({ level: 'silent' }),
      await loadModel(stack.config),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const partial = await stack.get<{ code: string }>('/readyz', AUTH);
      expect(partial.response.status).toBe(503);
      expect(partial.body.code).toBe('NOT_READY');
    } finally {
      await onlyFirst.close();
    }
    await stack.startWorker();
    await expect.poll(async () => (await stack.get('/readyz')).response.status, { timeout: 5000 }).toBe(200);
    expect((await stack.get('/readyz', AUTH)).body).toEqual({ status: 'ready', workers: 1 });
  });

  it('30 distinct sync misses -> 200 MISS with the manifest answers; each shard ran jobs of its own applicants only', async () => {
    const applicants = Array.from({ length: 30 }, () => fresh());

    const responses = await Promise.all(applicants.map((a) => stack.post('/scores', a)));

    expect(responses.map((r) => [r.status, r.headers.get('x-cache')])).toEqual(applicants.map(() => [200, 'MISS']));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Score[];
    bodies.forEach((body, i) => expect(closeTo(body, expectedAnswer(manifest, applicants[i]!))).toBe(true));
    const wanted = new Set(applicants.map((a) => stack.publicId(a)));
    const prefixes = queueShardPrefixes(stack.config.QUEUE_PREFIX, SHARDS);
    for (let shard = 0; shard < SHARDS; shard++) {
      const jobs = await stack.gateway.queues.at(shard).getJobs(['completed']);
      const ids = jobs.flatMap((job) => stack.jobItems(job.data as ScoreJobData).map((item) => item.id));
      const ours = ids.filter((id) => wanted.has(id));
      expect(ours.length, `shard ${shard}`).toBeGreaterThan(0);
      for (const id of ours) expect(shardOf(id, SHARDS)).toBe(shard);
      for (const job of jobs) expect(shardOfJob(job.id!)).toBe(shard);
      expect((await keysUnder(stack.redis, `${prefixes[shard]}:score:`)).length).toBeGreaterThan(0);
    }
  });

  it('30 concurrent identical misses over two gateways, on shard 2 -> 1 model run, one answer', async () => {
    const applicant = fresh(2);
    const peer = await stack.startPeerGateway();
    const runsBefore = stack.modelRuns;

    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        fetch(`${i % 2 ? peer.url : stack.url}/scores`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(applicant),
        }),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    for (const body of (await Promise.all(responses.map((r) => r.json()))) as Score[]) {
      expect(closeTo(body, expectedAnswer(manifest, applicant))).toBe(true);
    }
    expect(stack.modelRuns - runsBefore).toBe(1);
  });

  it('POST /jobs on each shard -> 202 -> poll -> completed; the job it names is on that shard, and its board page opens', async () => {
    for (let shard = 0; shard < SHARDS; shard++) {
      const applicant = fresh(shard);
      const submitted = await stack.post('/jobs', { applicant }, { prefer: 'respond-async' });
      expect(submitted.status).toBe(202);
      const location = submitted.headers.get('location')!;

      let body: JobBody | undefined;
      await expect
        .poll(
          async () => {
            body = (await stack.get<JobBody>(location)).body;
            return body.status;
          },
          { timeout: 10_000, interval: 50 },
        )
        .toBe('completed');

      expect(closeTo(body!.result!, expectedAnswer(manifest, applicant))).toBe(true);
      const board = body!.links.board!;
      const jobId = decodeURIComponent(board.split('/').at(-1)!);
      expect(shardOfJob(jobId)).toBe(shard);
      const queueName = decodeURIComponent(board.split('/').at(-2)!);
      const page = await fetch(`${stack.url}/admin/queues/api/queues/${encodeURIComponent(queueName)}/${jobId}`, {
        headers: AUTH,
      });
      expect(page.status, board).toBe(200);
    }
  });

  it('Bull Board lists the 3 shards; scoring_queue_jobs counts the jobs of all of them', async () => {
    const board = await fetch(`${stack.url}/admin/queues/api/queues`, { headers: AUTH });
    const { queues } = (await board.json()) as { queues: Array<{ name: string }> };
    // The three score shards, beside the portfolio queue.
    expect(queues.map((q) => q.name).sort()).toEqual(['portfolio', 'score', 'shard-1:score', 'shard-2:score']);

    let completed = 0;
    for (let shard = 0; shard < SHARDS; shard++) {
      completed += await stack.gateway.queues.at(shard).getCompletedCount();
    }
    const metrics = await (await fetch(`${stack.url}/metrics`, { headers: AUTH })).text();
    expect(metrics).toContain(`scoring_queue_jobs{state="completed"} ${completed}`);
  });
});
