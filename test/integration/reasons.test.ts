import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { buildGateway } from '../../api/gateway.js';
import type { Applicant } from '../../shared/applicant.js';
import { loadConfig } from '../../shared/config.js';
import { StartupError } from '../../shared/errors.js';
import { loadModel } from '../../worker/scoring-worker.js';
import { EXAMPLE_APPLICANT } from '../support/applicants.js';
import { HTTP_LANES } from '../support/lanes.js';
import { PROJECT_ROOT } from '../support/processes.js';
import { REDIS_URL, testNamespace } from '../support/redis.js';
import { Stack } from '../support/stack.js';

const MANIFEST_PATH = join(PROJECT_ROOT, 'model', 'manifest.json');
const MANIFEST_TEXT = readFileSync(MANIFEST_PATH, 'utf8');

/** The parts of manifest.json this test reads to do the model's arithmetic itself. */
const MANIFEST = JSON.parse(MANIFEST_TEXT) as {
  inputs: Record<string, { categories?: string[] }>;
  coefficients: Record<string, number>;
  intercept: number;
  costMatrix: { badAccepted: number; goodDeclined: number };
};

/** The reason codes of MODEL_CARD.md, by field and (categorical) level. */
const CODES: Record<string, string> = {
  installment_rate_in_percentage_of_disposable_income: 'INSTALMENTS_HIGH_SHARE_OF_INCOME',
  age_in_years: 'AGE_YOUNGER_THAN_LOWEST_RISK',
  'foreign_worker=yes': 'FOREIGN_WORKER',
  'foreign_worker=no': 'NOT_FOREIGN_WORKER',
  'present_employment_since=unemployed': 'UNEMPLOYED',
  'present_employment_since=less than 1 year': 'EMPLOYED_LESS_THAN_1_YEAR',
  'present_employment_since=1 to 4 years': 'EMPLOYED_1_TO_4_YEARS',
  'present_employment_since=4 to 7 years': 'EMPLOYED_4_TO_7_YEARS',
  'present_employment_since=7 years or more': 'EMPLOYED_7_YEARS_OR_MORE',
  'personal_status_and_sex=male: divorced/separated': 'MALE_DIVORCED_OR_SEPARATED',
  'personal_status_and_sex=female: divorced/separated/married': 'FEMALE_DIVORCED_SEPARATED_OR_MARRIED',
  'personal_status_and_sex=male: single': 'MALE_SINGLE',
  'personal_status_and_sex=male: married/widowed': 'MALE_MARRIED_OR_WIDOWED',
  'personal_status_and_sex=female: single': 'FEMALE_SINGLE',
};

const CATEGORICAL = ['foreign_worker', 'present_employment_since', 'personal_status_and_sex'] as const;
/** A share inside each installment band of the model card (< 0.20, 0.20–0.25, 0.25–0.35, ≥ 0.35): codes 1–4. */
const BAND_SHARES = [0.1, 0.22, 0.3, 0.5];

interface Expected {
  probability: number;
  reasons: Array<{ code: string; field: string }>;
  expectedCost: { accept: number; decline: number };
}

/**
 * The model card's method, done here from the manifest's coefficients: log-odds terms per field,
 * "points below best" = weight × (value − the field's lowest-risk value), positive ones strongest
 * first (ties in field order), four at most; p = logistic(intercept + terms).
 */
function expectedFor(band: number, applicant: Applicant): Expected {
  const w = MANIFEST.coefficients;
  const bandWeight = w.installment_band!;
  const ageWeight = w.age_years_under_35!;
  const yearsUnder = Math.max(0, 35 - applicant.age_in_years);
  let logit = MANIFEST.intercept + bandWeight * band + ageWeight * yearsUnder;
  const points: Array<{ field: string; key: string; points: number }> = [
    {
      field: 'installment_rate_in_percentage_of_disposable_income',
      key: 'installment_rate_in_percentage_of_disposable_income',
      points: bandWeight * (band - (bandWeight > 0 ? 1 : 4)),
    },
    { field: 'age_in_years', key: 'age_in_years', points: ageWeight * (yearsUnder - (ageWeight > 0 ? 0 : 17)) },
  ];
  for (const field of CATEGORICAL) {
    const weights = MANIFEST.inputs[field]!.categories!.map((level) => w[`${field}=${level}`]!);
    const own = w[`${field}=${applicant[field]}`]!;
    logit += own;
    points.push({ field, key: `${field}=${applicant[field]}`, points: own - Math.min(...weights) });
  }
  const probability = 1 / (1 + Math.exp(-logit));
  const reasons = points
    .filter((p) => p.points > 0)
    .sort((a, b) => b.points - a.points)
    .slice(0, 4)
    .map((p) => ({ code: CODES[p.key]!, field: p.field }));
  const { badAccepted, goodDeclined } = MANIFEST.costMatrix;
  return {
    probability,
    reasons,
    expectedCost: { accept: badAccepted * probability, decline: goodDeclined * (1 - probability) },
  };
}

/** One applicant per input vector the model can tell apart: 4 bands × ages 18–35 × the categories. */
function everyDistinctApplicant(): Array<{ band: number; applicant: Applicant }> {
  const [foreign, employment, status] = CATEGORICAL.map((field) => MANIFEST.inputs[field]!.categories!);
  const all: Array<{ band: number; applicant: Applicant }> = [];
  BAND_SHARES.forEach((share, i) => {
    for (let age = 18; age <= 35; age++)
      for (const f of foreign!)
        for (const e of employment!)
          for (const s of status!)
            all.push({
              band: i + 1,
              applicant: {
                installment_rate_in_percentage_of_disposable_income: share,
                age_in_years: age,
                foreign_worker: f,
                present_employment_since: e,
                personal_status_and_sex: s,
              } as Applicant,
            });
  });
  return all;
}

type ScoreBody = {
  probability: number;
  reasons: Array<{ code: string; field: string; description: string }>;
  expected_cost: { accept: number; decline: number };
};

function expectMatches(body: ScoreBody, expected: Expected): void {
  expect(Math.abs(body.probability - expected.probability)).toBeLessThanOrEqual(1e-6);
  expect(body.reasons.map(({ code, field }) => ({ code, field }))).toEqual(expected.reasons);
  expect(body.reasons.every((reason) => reason.description.length > 0)).toBe(true);
  expect(Math.abs(body.expected_cost.accept - expected.expectedCost.accept)).toBeLessThanOrEqual(5e-6);
  expect(Math.abs(body.expected_cost.decline - expected.expectedCost.decline)).toBeLessThanOrEqual(2e-6);
}

describe.each(HTTP_LANES)('POST /reasons and the seed endpoints ($lane)', ({ env }) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ ...env, SYNC_WAIT_MS: '30000' });
    await stack.startWorker();
  });
  afterAll(() => stack.stop());

  it('README applicant: seed endpoints answer their exact seed bodies, byte for byte, on MISS and on HIT', async () => {
    const seed = {
      '/decisions': '{"decision":"DECLINE"}',
      '/probabilities': '{"probability":0.377148}',
      '/risk_categories': '{"risk_category":"HIGH"}',
    };
    const caches: string[] = [];
    for (const [path, body] of Object.entries(seed)) {
      const response = await stack.post(path, EXAMPLE_APPLICANT);
      caches.push(response.headers.get('x-cache')!);
      expect(await response.text()).toBe(body);
    }
    for (const [path, body] of Object.entries(seed))
      expect(await (await stack.post(path, EXAMPLE_APPLICANT)).text()).toBe(body);
    expect(caches).toEqual(['MISS', 'HIT', 'HIT']);
  });

  it('POST /reasons, README applicant -> foreign worker, not employed, instalments, age: the model card example', async () => {
    const response = await stack.post('/reasons', EXAMPLE_APPLICANT);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { reasons: ScoreBody['reasons'] };
    expect(Object.keys(body)).toEqual(['reasons']);
    expect(body.reasons).toEqual([
      { code: 'FOREIGN_WORKER', field: 'foreign_worker', description: 'Foreign worker' },
      { code: 'UNEMPLOYED', field: 'present_employment_since', description: 'Not employed' },
      {
        code: 'INSTALMENTS_HIGH_SHARE_OF_INCOME',
        field: 'installment_rate_in_percentage_of_disposable_income',
        description: 'Instalments take a large share of disposable income',
      },
      {
        code: 'AGE_YOUNGER_THAN_LOWEST_RISK',
        field: 'age_in_years',
        description: 'Younger than the lowest-risk age group',
      },
    ]);
  });

  it('POST /reasons with a bad field -> 422 with its path, no cache write, no job', async () => {
    const [keysBefore, jobsBefore] = [(await stack.answerKeys()).sort(), await stack.jobCount()];
    const response = await stack.post('/reasons', { ...EXAMPLE_APPLICANT, age_in_years: 17 });
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { errors: Array<{ path: string }> };
    expect(problem.errors.map((error) => error.path)).toEqual(['/age_in_years']);
    expect((await stack.answerKeys()).sort()).toEqual(keysBefore);
    expect(await stack.jobCount()).toBe(jobsBefore);
  });
});

describe('principal reasons and expected costs over a real Redis, queue and model', () => {
  let stack: Stack;

  beforeAll(async () => {
    // 3,600 distinct misses from one client: past the default miss budget, which is not under test here.
    stack = await Stack.start({ SYNC_WAIT_MS: '30000', RATE_LIMIT_MISSES: '0' });
    await stack.startWorker();
  });
  afterAll(() => stack.stop());

  it('POST /scores carries reasons and expected_cost {accept: 5p, decline: 1 − p}', async () => {
    const body = (await (await stack.post('/scores', EXAMPLE_APPLICANT)).json()) as ScoreBody;
    expect(body.expected_cost).toEqual({ accept: 1.88574, decline: 0.622852 });
    expect(body.reasons).toHaveLength(4);
  });

  it('the OpenAPI document has POST /reasons and every reason code of MODEL_CARD.md with its description', async () => {
    const { body } = await stack.get<{
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties: { code: { enum: string[]; description: string } } }> };
    }>('/openapi.json');
    expect(Object.keys(body.paths)).toContain('/reasons');
    const code = body.components.schemas.Reason!.properties.code;
    expect([...code.enum].sort()).toEqual(Object.values(CODES).sort());
    expect(code.description).toContain('`EMPLOYED_LESS_THAN_1_YEAR`: Employed for less than one year');
  });

  it('ages 44 and 46, other fields equal (0 years under 35 to the model) -> MISS then HIT, one cache entry', async () => {
    const at = (age: number) => ({ ...EXAMPLE_APPLICANT, present_employment_since: '4 to 7 years', age_in_years: age });
    const first = await stack.post('/scores', at(44));
    const second = await stack.post('/scores', at(46));
    expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['MISS', 'HIT']);
    expect(await second.json()).toEqual(await first.json());
  });

  it('a job result carries reasons and expected_cost', async () => {
    const applicant = { ...EXAMPLE_APPLICANT, foreign_worker: 'no' as const, age_in_years: 19 };
    const submitted = await stack.post('/jobs', { applicant });
    const { links } = (await submitted.json()) as { links: { self: string } };
    let poll: { status: string; result?: ScoreBody } = { status: 'queued' };
    for (let i = 0; i < 100 && poll.status !== 'completed'; i++) {
      poll = (await stack.get<typeof poll>(links.self)).body;
      if (poll.status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expectMatches(poll.result!, expectedFor(3, applicant));
  });

  it('every one of the 3,600 codes: reasons and expected costs equal the arithmetic on the coefficients, on MISS and HIT', async () => {
    const all = everyDistinctApplicant();
    expect(all).toHaveLength(3600);
    for (const pass of ['MISS', 'HIT']) {
      for (let from = 0; from < all.length; from += 1000) {
        const chunk = all.slice(from, from + 1000);
        const response = await stack.post('/scores/batch', { applicants: chunk.map((item) => item.applicant) });
        expect(response.status).toBe(200);
        if (pass === 'HIT') expect(response.headers.get('x-cache')).toBe('HIT');
        const { results } = (await response.json()) as { results: ScoreBody[] };
        results.forEach((body, i) => expectMatches(body, expectedFor(chunk[i]!.band, chunk[i]!.applicant)));
      }
    }
    expect(await stack.answerKeys()).toHaveLength(3600);
  }, 120_000);
});

describe('start-up: the served manifest must encode applicants as the build keys them', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'manifest-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function manifestWith(edit: (manifest: { encoding: Array<Record<string, unknown>> }) => void): Promise<string> {
    const manifest = JSON.parse(MANIFEST_TEXT) as { encoding: Array<Record<string, unknown>> };
    edit(manifest);
    const path = join(dir, `manifest-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(path, JSON.stringify(manifest));
    return path;
  }
  const configFor = (path: string) =>
    loadConfig({ REDIS_URL, ...prefixes(), LOG_LEVEL: 'silent', MODEL_MANIFEST_PATH: path });
  const prefixes = () => {
    const { cachePrefix, queuePrefix } = testNamespace();
    return { CACHE_PREFIX: cachePrefix, QUEUE_PREFIX: queuePrefix };
  };

  it('other installment band bounds -> gateway and worker refuse, one line naming the field', async () => {
    const path = await manifestWith((m) => {
      m.encoding[0]!.lowerBounds = [0.2, 0.3, 0.35];
    });
    expect(() => buildGateway(configFor(path), pino({ level: 'silent' }))).toThrow(StartupError);
    expect(() => buildGateway(configFor(path), pino({ level: 'silent' }))).toThrow(
      /^model manifest .* encodes installment_rate_in_percentage_of_disposable_income differently[^\n]*$/,
    );
    await expect(loadModel(configFor(path))).rejects.toThrow(StartupError);
  });

  it('another age knot, or no encoding at all -> both refuse', async () => {
    const knot = await manifestWith((m) => {
      m.encoding[1]!.knot = 30;
    });
    const none = await manifestWith((m) => {
      delete (m as { encoding?: unknown }).encoding;
    });
    for (const path of [knot, none]) {
      expect(() => buildGateway(configFor(path), pino({ level: 'silent' }))).toThrow(StartupError);
      await expect(loadModel(configFor(path))).rejects.toThrow(StartupError);
    }
  });
});
