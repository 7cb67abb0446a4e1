import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_APPLICANT } from '../support/applicants.js';
import { HTTP_LANES } from '../support/lanes.js';
import { Stack } from '../support/stack.js';

interface ProblemBody {
  status: number;
  code: string;
  title: string;
  errors?: { path: string; message: string }[];
}

describe.each(HTTP_LANES)('bad input ($lane): a clear 4xx, no cache write, no job', ({ env }) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start(env);
  });
  afterAll(() => stack.stop());

  const cases: Array<[string, () => Promise<Response>, number, string]> = [
    ['malformed JSON', () => stack.post('/decisions', '{"age_in_years": 30,'), 400, 'MALFORMED_JSON'],
    [
      'text/plain',
      () => stack.post('/decisions', JSON.stringify(EXAMPLE_APPLICANT), { 'content-type': 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'no content type',
      () =>
        fetch(`${stack.url}/probabilities`, { method: 'POST', body: new Blob([JSON.stringify(EXAMPLE_APPLICANT)]) }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a body over 16 KiB',
      () => stack.post('/risk_categories', { ...EXAMPLE_APPLICANT, padding: 'x'.repeat(17 * 1024) }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'invalid fields',
      () => stack.post('/decisions', { ...EXAMPLE_APPLICANT, age_in_years: 17, foreign_worker: 'maybe' }),
      422,
      'INVALID_INPUT',
    ],
    [
      'an unknown field',
      () => stack.post('/decisions', { ...EXAMPLE_APPLICANT, age_in_yeras: 30 }),
      422,
      'INVALID_INPUT',
    ],
    ['an array', () => stack.post('/decisions', [EXAMPLE_APPLICANT]), 422, 'INVALID_INPUT'],
    ['a JSON string', () => stack.post('/decisions', '"hello"'), 400, 'MALFORMED_JSON'],
    [
      'a latin-1 charset',
      () =>
        stack.post('/scores', JSON.stringify(EXAMPLE_APPLICANT), {
          'content-type': 'application/json; charset=latin1',
        }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['an empty body', () => stack.post('/scores', ''), 422, 'INVALID_INPUT'],
    [
      'a body whose Content-Length is over the limit',
      () =>
        fetch(`${stack.url}/probabilities`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...EXAMPLE_APPLICANT, pad: ' '.repeat(20_000) }),
        }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
  ];

  it.each(cases)('%s -> %i problem+json', async (_name, send, status, code) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as ProblemBody;
    expect(body).toMatchObject({ status, code });
    expect(body.title.length).toBeGreaterThan(0);
  });

  it('422 lists each field path and reason', async () => {
    const response = await stack.post('/decisions', {
      ...EXAMPLE_APPLICANT,
      age_in_years: 17,
      foreign_worker: 'maybe',
      extra: 1,
    });
    const body = (await response.json()) as ProblemBody;
    expect(body.errors?.map((e) => e.path).sort()).toEqual(['/age_in_years', '/extra', '/foreign_worker']);
    expect(body.errors?.every((e) => e.message.length > 0)).toBe(true);
  });

  it('an unknown route -> 404 problem+json', async () => {
    const response = await stack.post('/decision', EXAMPLE_APPLICANT);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('after all of the above: no cache key was written and no job was added', async () => {
    expect(await stack.cacheKeys()).toEqual([]);
    expect(await stack.jobCount()).toBe(0);
  });
});
