import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelManifest } from '../../shared/model-manifest.js';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { HTTP_LANES } from '../support/lanes.js';
import { SHIPPED_MANIFEST_PATH } from '../support/model-version.js';
import { Stack } from '../support/stack.js';

/**
 * The README's applicant A on /scores, byte for byte: its answer, reasons and expected cost as the
 * README gives them, in the field order of the API's Score, and the version of the shipped manifest.
 */
const README_SCORE =
  '{"decision":"DECLINE","probability":0.377148,"risk_category":"HIGH",' +
  `"model_version":"${readModelManifest(SHIPPED_MANIFEST_PATH).version}",` +
  '"reasons":[{"code":"FOREIGN_WORKER","field":"foreign_worker","description":"Foreign worker"},' +
  '{"code":"UNEMPLOYED","field":"present_employment_since","description":"Not employed"},' +
  '{"code":"INSTALMENTS_HIGH_SHARE_OF_INCOME","field":"installment_rate_in_percentage_of_disposable_income",' +
  '"description":"Instalments take a large share of disposable income"},' +
  '{"code":"AGE_YOUNGER_THAN_LOWEST_RISK","field":"age_in_years","description":"Younger than the lowest-risk age group"}],' +
  '"expected_cost":{"accept":1.88574,"decline":0.622852}}';

describe.each(HTTP_LANES)('answers rendered once are the same bytes as ever ($lane)', ({ env }) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ ...env, SYNC_WAIT_MS: '30000' });
    await stack.startWorker();
  });
  afterAll(() => stack.stop());

  it('/scores for the README applicant: the same bytes on MISS and on each HIT, Content-Length their byte count', async () => {
    const caches: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await stack.post('/scores', EXAMPLE_APPLICANT);
      caches.push(response.headers.get('x-cache')!);
      expect(await response.text()).toBe(README_SCORE);
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(README_SCORE)));
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    }
    expect(caches).toEqual(['MISS', 'HIT', 'HIT']);
  });

  it('a batch of hits, A among others and A twice: {"results":[...]} of each applicant\'s /scores bytes, in request order', async () => {
    const others = [applicantNumber(301), applicantNumber(302)];
    const singles: string[] = [];
    for (const applicant of others) singles.push(await (await stack.post('/scores', applicant)).text());
    const batch = await stack.post('/scores/batch', {
      applicants: [others[0], EXAMPLE_APPLICANT, others[1], EXAMPLE_APPLICANT],
    });
    expect(batch.headers.get('x-cache')).toBe('HIT');
    const text = await batch.text();
    expect(text).toBe(`{"results":[${singles[0]},${README_SCORE},${singles[1]},${README_SCORE}]}`);
    expect(batch.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
  });

  it('an answer changed in the cache (by hand) is served as it now reads, on /scores and in a batch', async () => {
    const applicant = applicantNumber(303);
    expect((await stack.post('/scores', applicant)).status).toBe(200);
    const key = stack.keys.score(stack.gateway.modelVersion, stack.publicId(applicant));
    await stack.redis.hset(key, 'p', '0.25', 'd', '0');
    const single = JSON.parse(await (await stack.post('/scores', applicant)).text()) as Record<string, unknown>;
    expect(single).toMatchObject({
      decision: 'ACCEPT',
      probability: 0.25,
      expected_cost: { accept: 1.25, decline: 0.75 },
    });
    const batch = JSON.parse(await (await stack.post('/scores/batch', { applicants: [applicant] })).text()) as {
      results: unknown[];
    };
    expect(batch.results).toEqual([single]);
  });
});
