import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Applicant } from '../../shared/applicant.js';
import { applicantCode } from '../../shared/keys.js';
import type { Score } from '../../shared/score.js';
import { ScoreCache } from '../../shared/score-cache.js';
import type { ScoringWorker } from '../../worker/scoring-worker.js';
import { distinctApplicants } from '../support/distinct-applicants.js';
import { copyModelAsNewVersion, type ModelCopy } from '../support/model-version.js';
import { Stack } from '../support/stack.js';

/** What one worker scored in one job: the worker's version, the version the gateway asked for, the codes. */
interface Run {
  workerVersion: string;
  askedVersion: string;
  codes: string[];
}

/** One answer a client received, and from which gateway. */
interface Received {
  gatewayVersion: string;
  code: string;
  score: Score;
  /** X-Model-Version of a single answer; null for a batch's items. */
  header: string | null;
}

describe('rollout: workers of two model versions on one queue, a gateway per version', () => {
  let copy: ModelCopy;
  let older: Stack;
  let newer: Stack;
  const runs: Run[] = [];
  const received: Received[] = [];
  const pool = distinctApplicants(1000, 200);
  let next = 0;
  const fresh = (n: number) => pool.slice(next, (next += n));

  /** Starts a worker of `stack`'s model version and records what it scores. */
  async function startWorker(stack: Stack): Promise<ScoringWorker> {
    const worker = await stack.startWorker();
    worker.worker.on('completed', (job) =>
      runs.push({
        workerVersion: worker.model.version,
        askedVersion: job.data.modelVersion,
        codes: stack.jobItems(job.data).map((item) => applicantCode(item.applicant)),
      }),
    );
    return worker;
  }

  /** POST /scores for each applicant on `stack`'s gateway, all at once; records every 200. */
  async function scoreAll(stack: Stack, applicants: readonly Applicant[]): Promise<Received[]> {
    const answers = await Promise.all(
      applicants.map(async (applicant): Promise<Received> => {
        const response = await stack.post('/scores', applicant);
        expect(response.status).toBe(200);
        return {
          gatewayVersion: stack.gateway.modelVersion,
          code: applicantCode(applicant),
          score: (await response.json()) as Score,
          header: response.headers.get('x-model-version'),
        };
      }),
    );
    received.push(...answers);
    return answers;
  }

  /** Every cached answer of the shared namespace, by key, as `s:<version>:<public id>` → entry. */
  async function cachedEntries(): Promise<Map<string, Score | undefined>> {
    const prefix = older.config.CACHE_PREFIX;
    const pattern = new RegExp(`^${prefix}:[0-9a-f]{8}:[A-Za-z0-9_-]{11}$`);
    const keys = (await older.cacheKeys()).filter((key) => pattern.test(key));
    const entries = await new ScoreCache(older.redis, { ttlS: 1, jitterS: 0 }).readMany(keys);
    return new Map(keys.map((key, i) => [key, entries[i]]));
  }

  const keyOf = (version: string, code: string) => older.keys.score(version, older.publicIdOf(version, code));

  beforeAll(async () => {
    copy = await copyModelAsNewVersion('rollout test: same weights, another file');
    older = await Stack.start();
    // The new version's gateway joins the same queue and cache namespace, as a rolling deploy would.
    newer = await Stack.start({
      CACHE_PREFIX: older.config.CACHE_PREFIX,
      QUEUE_PREFIX: older.config.QUEUE_PREFIX,
      MODEL_MANIFEST_PATH: copy.manifestPath,
    });
  });
  afterAll(async () => {
    await Promise.all([older?.stopWorkers(), newer?.stopWorkers()]);
    await newer?.stop();
    await older?.stop();
    await copy?.dispose();
  });

  it('the copy is another version: the gateways serve different model versions', () => {
    expect(newer.gateway.modelVersion).toBe(copy.version);
    expect(older.gateway.modelVersion).not.toBe(copy.version);
  });

  it("only an old worker running: the new gateway's misses are answered and stored under the old version, nothing under the new", async () => {
    await startWorker(older);
    const applicants = fresh(12);

    const answers = await scoreAll(newer, applicants);

    const oldVersion = older.gateway.modelVersion;
    expect(answers.map((a) => a.score.model_version)).toEqual(applicants.map(() => oldVersion));
    // Runs are recorded from the worker's 'completed' event, which may come just after the reply.
    await expect.poll(() => runs.some((run) => run.askedVersion === copy.version), { timeout: 10_000 }).toBe(true);
    expect(runs.every((run) => run.workerVersion === oldVersion)).toBe(true);
    expect(await newer.answerKeys()).toEqual([]);
    const entries = await cachedEntries();
    for (const { code, score } of answers) expect(entries.get(keyOf(oldVersion, code))).toEqual(score);
  });

  it('only an old worker running: a batch on the new gateway -> results of the old version, and X-Model-Version names that version', async () => {
    const applicants = fresh(6);

    const response = await newer.post('/scores/batch', { applicants: [...applicants, applicants[0]!] });
    const { results } = (await response.json()) as { results: Score[] };

    const oldVersion = older.gateway.modelVersion;
    expect(response.status).toBe(200);
    expect(results.map((score) => score.model_version)).toEqual([...applicants, applicants[0]].map(() => oldVersion));
    received.push(
      ...applicants.map((a, i) => ({
        gatewayVersion: copy.version,
        code: applicantCode(a),
        score: results[i]!,
        header: null,
      })),
    );
    expect(response.headers.get('x-model-version')).toBe(oldVersion);
  });

  it("only a new worker running: the old gateway's misses are stored under the new version only", async () => {
    await older.stopWorkers();
    await startWorker(newer);
    const applicants = fresh(12);

    const answers = await scoreAll(older, applicants);

    expect(answers.map((a) => a.score.model_version)).toEqual(applicants.map(() => copy.version));
    const entries = await cachedEntries();
    for (const { code, score } of answers) {
      expect(entries.get(keyOf(copy.version, code))).toEqual(score);
      expect(entries.has(keyOf(older.gateway.modelVersion, code))).toBe(false);
    }
  });

  it('both versions under mixed load: every entry is filed under the version of the worker that computed it', async () => {
    await startWorker(older);
    const shared = fresh(30);
    const runsBefore = runs.length;

    await Promise.all([scoreAll(older, shared), scoreAll(newer, shared), scoreAll(older, fresh(10))]);

    // Keys (version, code) written = (worker version, code) of every run, over the whole file: no
    // worker ever wrote a key of another version, and nothing was written that no worker computed.
    const entries = await cachedEntries();
    const computed = new Set(runs.flatMap((run) => run.codes.map((code) => keyOf(run.workerVersion, code))));
    expect(new Set(entries.keys())).toEqual(computed);
    // ...and each entry sits under the version of the model that answered it.
    for (const [key, entry] of entries) expect(key.split(':')[1]).toBe(entry!.model_version);
    // Each worker took the other gateway's jobs at some point in this file.
    const crossings = new Set(runs.map((run) => `${run.askedVersion}->${run.workerVersion}`));
    expect(crossings).toContain(`${copy.version}->${older.gateway.modelVersion}`);
    expect(crossings).toContain(`${older.gateway.modelVersion}->${copy.version}`);
    expect(runs.length).toBeGreaterThan(runsBefore);
  });

  it("every answer a client received is the entry cached under that answer's own model_version", async () => {
    const entries = await cachedEntries();

    // The earlier tests' answers: 12 + 6 (batch) + 12 + 30 + 30 + 10; none when run alone, which must not pass.
    expect(received).toHaveLength(100);
    for (const { code, score, header } of received) {
      expect(entries.get(keyOf(score.model_version, code))).toEqual(score);
      if (header !== null) expect(header).toBe(score.model_version);
    }
  });

  it('a poll on the new gateway for an applicant an old worker scored -> completed, with the old version it is cached under', async () => {
    const [first] = received.filter((r) => r.gatewayVersion === copy.version && r.score.model_version !== copy.version);

    const { response, body } = await newer.get<{ status: string; result: Score }>(
      `/jobs/${newer.publicIdOf(copy.version, first!.code)}`,
    );

    expect(response.status).toBe(200);
    expect(body.status).toBe('completed');
    expect(body.result).toEqual(first!.score);
  });
});
