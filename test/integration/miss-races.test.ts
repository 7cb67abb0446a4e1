import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { MissPathSeams } from '../../api/scoring/miss-path.js';
import type { Applicant } from '../../shared/applicant.js';
import { SCORE_QUEUE, type ScoreJobData, type ScoreJobResult } from '../../shared/queues.js';
import { ScoreCache } from '../../shared/score-cache.js';
import type { Score } from '../../shared/score.js';
import type { ScoringModel } from '../../worker/credit-model.js';
import { loadModel } from '../../worker/scoring-worker.js';
import { expectedAnswer, readOracleManifest } from '../oracle/manifest-scorer.js';
import { applicantNumber } from '../support/applicants.js';
import { Stack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';

const manifest = readOracleManifest();

/** A point one process is held at until the test opens it; `entered` resolves when something reached it. */
function gate() {
  let open!: () => void;
  let enter!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const entered = new Promise<void>((resolve) => (enter = resolve));
  return {
    entered,
    open,
    hold: async () => {
      enter();
      await opened;
    },
  };
}

/** The real model, recording the applicants of every run (to count the runs an applicant was in). */
function recording(
  model: ScoringModel,
  before?: (run: number) => Promise<void>,
): ScoringModel & { runs: Applicant[][] } {
  const runs: Applicant[][] = [];
  return {
    runs,
    version: model.version,
    score: async (applicants) => {
      runs.push([...applicants]);
      await before?.(runs.length);
      return model.score(applicants);
    },
  };
}

const runsWith = (runs: Applicant[][], applicant: Applicant) =>
  runs.filter((run) => run.some((a) => JSON.stringify(a) === JSON.stringify(applicant))).length;

/** Every response is a 200 with the oracle's probability for `applicant`. */
async function expectOracleAnswers(responses: Response[], applicant: Applicant): Promise<void> {
  expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
  const expected = expectedAnswer(manifest, applicant).probability;
  for (const body of (await Promise.all(responses.map((response) => response.json()))) as Score[]) {
    expect(Math.abs(body.probability - expected)).toBeLessThanOrEqual(0.5e-6 + 1e-12);
  }
}

/**
 * A request whose cache read missed before the worker stored `applicant`'s answer registers its wait
 * only once that answer has settled the gateway's waits, and then joins a flush already under way: a
 * batch of `applicant` and `other`, coalescing onto the job and held at its add (of `other`). With
 * `lookupsAfterReply` that flush reads the job's state and the cache after the reply (it finds the
 * answer there), otherwise before the worker stored it (it routes the applicant to the job).
 */
async function lateJoiner(stack: Stack, gates: LateJoinerGates, applicant: Applicant, other: Applicant) {
  const { scoring, registering, adding, waiting, lookupsAfterReply } = gates;
  // The first miss adds the job; the worker takes it and is held before the model runs.
  const first = stack.post('/scores', applicant);
  await scoring.entered;
  gates.holdAdd = true;
  gates.holdRegister = lookupsAfterReply;
  const batch = stack.post('/scores/batch', { applicants: [applicant, other] });
  await (lookupsAfterReply ? registering : adding).entered;
  // Nothing is stored yet: the late request misses the cache, and is held before it registers its wait.
  gates.holdWait = true;
  const late = stack.post('/scores', applicant);
  await waiting.entered;
  // The worker stores the answer and replies: the waits registered so far are settled.
  scoring.open();
  expect((await first).status).toBe(200);
  if (lookupsAfterReply) {
    registering.open();
    await adding.entered;
  }
  // The late wait joins the flush, which looked its applicant up before the wait existed.
  waiting.open();
  await new Promise((resolve) => setImmediate(resolve));
  adding.open();
  return Promise.all([late, batch]);
}

interface LateJoinerGates {
  scoring: ReturnType<typeof gate>;
  registering: ReturnType<typeof gate>;
  adding: ReturnType<typeof gate>;
  waiting: ReturnType<typeof gate>;
  lookupsAfterReply: boolean;
  holdRegister: boolean;
  holdAdd: boolean;
  holdWait: boolean;
}

function lateJoinerGates(lookupsAfterReply: boolean): LateJoinerGates {
  return {
    scoring: gate(),
    registering: gate(),
    adding: gate(),
    waiting: gate(),
    lookupsAfterReply,
    holdRegister: false,
    holdAdd: false,
    holdWait: false,
  };
}

/** Each seam holds once, when its test armed it. */
function lateJoinerSeams(gates: LateJoinerGates): MissPathSeams {
  const once = (armed: 'holdRegister' | 'holdAdd' | 'holdWait', at: ReturnType<typeof gate>) => async () => {
    if (!gates[armed]) return;
    gates[armed] = false;
    await at.hold();
  };
  return {
    beforeRegister: once('holdRegister', gates.registering),
    beforeAdd: once('holdAdd', gates.adding),
    beforeWait: once('holdWait', gates.waiting),
  };
}

describe('miss path races between gateways and the queue events', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('claim then add: a second gateway that sees the claim before its job exists waits on it -> one model run', async () => {
    const held = gate();
    let first = true;
    stack = await Stack.start({ MISS_BATCH_WAIT_MS: '0' }, undefined, {
      beforeAdd: async () => {
        if (!first) return;
        first = false;
        await held.hold();
      },
    });
    const model = recording(await loadModel(stack.config));
    await stack.startWorker(model);
    const peer = await stack.startPeerGateway();
    const applicant = applicantNumber(7);

    const one = stack.post('/scores', applicant);
    await held.entered;
    const two = fetch(`${peer.url}/scores`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(applicant),
    });
    // The peer has decided once it coalesced onto the claim or had the model run the applicant itself.
    await waitUntil('the peer gateway to coalesce or add its own job', async () => {
      const coalesced = (await peer.gateway.metrics.jobsCoalesced.get()).values[0]?.value ?? 0;
      return coalesced > 0 || runsWith(model.runs, applicant) > 0;
    });
    held.open();
    const [a, b] = await Promise.all([one, two]);

    await expectOracleAnswers([a, b], applicant);
    await waitUntil('the queue to settle', async () => {
      const counts = await stack!.gateway.queue.getJobCounts('waiting', 'active', 'delayed');
      return Object.values(counts).every((n) => n === 0);
    });
    expect(runsWith(model.runs, applicant)).toBe(1);
  });

  it('a failed event settles only the waits on the failed job: a request that moved to a new job gets its answer', async () => {
    const failedHeld = gate();
    const secondRun = gate();
    stack = await Stack.start({ JOB_ATTEMPTS: '1', MISS_BATCH_WAIT_MS: '0', SYNC_WAIT_MS: '8000' }, undefined, {
      beforeFailed: () => failedHeld.hold(),
    });
    const real = await loadModel(stack.config);
    const model = recording(real, async (run) => {
      if (run === 1) throw new Error('the first run breaks');
      await secondRun.hold();
    });
    await stack.startWorker(model);
    const applicant = applicantNumber(11);

    // A waits on the first job, which fails; the gateway holds that failed event.
    const a = stack.post('/scores', applicant);
    await failedHeld.entered;
    // B arrives after the failure: the claim's job has failed, so B takes it over with a new job.
    const b = stack.post('/scores', applicant);
    await secondRun.entered;
    // The failed event of the first job now reaches the waits; then the second job answers.
    failedHeld.open();
    const aResponse = await a;
    secondRun.open();
    const bResponse = await b;

    expect(aResponse.status).toBe(502);
    expect(bResponse.status).toBe(200);
    const body = (await bResponse.json()) as Score;
    expect(Math.abs(body.probability - expectedAnswer(manifest, applicant).probability)).toBeLessThanOrEqual(
      0.5e-6 + 1e-12,
    );
    expect(model.runs).toHaveLength(2);
  });

  it('coalescing onto a job that replied before the registration and still reads active: the answer comes from the cache', async () => {
    const registering = gate();
    stack = await Stack.start({ MISS_BATCH_WAIT_MS: '0', SYNC_WAIT_MS: '3000' }, undefined, {
      beforeRegister: () => registering.hold(),
    });
    const model = await loadModel(stack.config);
    const cache = new ScoreCache(stack.redis, { ttlS: 60, jitterS: 0 });
    const picked = gate();
    const stored = gate();
    // Stands for a worker between its reply (sent once the answers are stored) and BullMQ marking
    // the job completed: its answers are cached, its reply went before anyone registered, it is active.
    const connection = new Redis(stack.config.REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker<ScoreJobData, ScoreJobResult>(
      SCORE_QUEUE,
      async (job) => {
        await picked.hold();
        const items = stack!.jobItems(job.data);
        const scores = await model.score(items.map((item) => item.applicant));
        await cache.write(
          items.map((item, i) => ({ key: stack!.keys.score(model.version, item.id), score: scores[i]! })),
        );
        await stored.hold();
        return { results: [], modelMs: 0 };
      },
      { connection, prefix: stack.config.QUEUE_PREFIX },
    );
    try {
      const applicant = applicantNumber(13);
      // The first request claims the applicant and adds the job; the worker takes it.
      const first = stack.post('/scores', applicant);
      await picked.entered;
      // The second misses the cache, finds the claim and is held before it registers for the job.
      const second = stack.post('/scores', applicant);
      await registering.entered;
      picked.open();
      await stored.entered;

      registering.open();
      const [a, b] = await Promise.all([first, second]);

      await expectOracleAnswers([a, b], applicant);
    } finally {
      picked.open();
      registering.open();
      stored.open();
      await worker.close();
      connection.disconnect();
    }
  });

  it('two gateways take over a failed claim at once: the one that loses to the other job registers for it -> 200, no third run', async () => {
    const registering = gate();
    const scoring = gate();
    let registrations = 0;
    stack = await Stack.start({ JOB_ATTEMPTS: '1', MISS_BATCH_WAIT_MS: '0', SYNC_WAIT_MS: '3000' });
    const model = recording(await loadModel(stack.config), async (run) => {
      if (run === 1) throw new Error('the first run breaks');
      await scoring.hold();
    });
    await stack.startWorker(model);
    // The peer is held the first time it registers for a claim's job: after its claim found the failed job.
    const peer = await stack.startPeerGateway({
      beforeRegister: async () => {
        if (registrations++ === 0) await registering.hold();
      },
    });
    const applicant = applicantNumber(31);
    try {
      // The first job fails: the applicant's claim names a job that will not answer.
      expect((await stack.post('/scores', applicant)).status).toBe(502);
      // The peer claims, finds the failed job and is held before it registers for it.
      const viaPeer = fetch(`${peer.url}/scores`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(applicant),
      });
      await registering.entered;
      // This gateway takes the claim over with a new job, which the worker takes and is held in.
      const viaGateway = stack.post('/scores', applicant);
      await scoring.entered;
      // The peer's take-over now finds the claim already moved to that new job, and waits on it.
      registering.open();
      await waitUntil('the peer to route its miss to the new job', async () => {
        const coalesced = (await peer.gateway.metrics.jobsCoalesced.get()).values[0]?.value ?? 0;
        return coalesced > 0;
      });
      scoring.open();
      const [a, b] = await Promise.all([viaGateway, viaPeer]);

      await expectOracleAnswers([a, b], applicant);
      expect(runsWith(model.runs, applicant)).toBe(2);
    } finally {
      registering.open();
      scoring.open();
    }
  });

  for (const lookupsAfterReply of [false, true]) {
    const flush = lookupsAfterReply ? 'found the answer in the cache' : 'routed it to the job';
    it(`a late wait joins a flush that already ${flush}, after the reply -> 200 with the answer, one model run`, async () => {
      const gates = lateJoinerGates(lookupsAfterReply);
      stack = await Stack.start({ SYNC_WAIT_MS: '2000' }, undefined, lateJoinerSeams(gates));
      const model = recording(await loadModel(stack.config), (run) =>
        run === 1 ? gates.scoring.hold() : Promise.resolve(),
      );
      await stack.startWorker(model);
      const applicant = applicantNumber(lookupsAfterReply ? 19 : 17);
      const other = applicantNumber(lookupsAfterReply ? 29 : 23);
      try {
        const [late, batch] = await lateJoiner(stack, gates, applicant, other);

        expect([late.status, batch.status]).toEqual([200, 200]);
        const body = (await late.json()) as Score;
        expect(Math.abs(body.probability - expectedAnswer(manifest, applicant).probability)).toBeLessThanOrEqual(
          0.5e-6 + 1e-12,
        );
        expect(runsWith(model.runs, applicant)).toBe(1);
      } finally {
        for (const held of [gates.scoring, gates.registering, gates.adding, gates.waiting]) held.open();
      }
    });
  }
});
