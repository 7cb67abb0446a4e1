import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobRequest, jobRequestDocument } from '../../api/contract.js';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { Stack } from '../support/stack.js';

/** The headers the document speaks of; others (helmet's, Content-Length) are HTTP's business. */
const API_HEADERS = [
  'x-cache',
  'cache-status',
  'x-model-version',
  'preference-applied',
  'location',
  'retry-after',
  'x-request-id',
  'www-authenticate',
];

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>;
}

describe('the OpenAPI document and the answers agree on headers', () => {
  let stack: Stack;
  let document: OpenApiDocument;
  /** Every answer the test saw: where it came from and which API headers it carried. */
  const seen: Array<{ method: string; path: string; status: number; headers: string[] }> = [];

  async function call(method: string, template: string, url: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${stack.url}${url}`, { method, ...init });
    seen.push({
      method: method.toLowerCase(),
      path: template,
      status: response.status,
      headers: API_HEADERS.filter((name) => response.headers.has(name)),
    });
    return response;
  }
  const post = (template: string, body: unknown, headers: Record<string, string> = {}) =>
    call('POST', template, template, {
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    stack = await Stack.start({ ADMIN_PASSWORD: 'correct-horse-battery' });
    await stack.startWorker();
    document = (await (await fetch(`${stack.url}/openapi.json`)).json()) as OpenApiDocument;
  });
  afterAll(() => stack.stop());

  it('a sync 200 HIT asked for respond-async carries no Preference-Applied; a 202 does; wait=N on a 200 does', async () => {
    expect((await post('/scores', EXAMPLE_APPLICANT)).status).toBe(200);
    const hit = await post('/scores', EXAMPLE_APPLICANT, { prefer: 'respond-async' });
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.headers.get('preference-applied')).toBeNull();
    const batchHit = await post('/scores/batch', { applicants: [EXAMPLE_APPLICANT] }, { prefer: 'respond-async' });
    expect(batchHit.status).toBe(200);
    expect(batchHit.headers.get('preference-applied')).toBeNull();

    const waited = await post('/decisions', EXAMPLE_APPLICANT, { prefer: 'wait=3' });
    expect(waited.status).toBe(200);
    expect(waited.headers.get('preference-applied')).toBe('wait=3');
    const accepted = await post('/risk_categories', applicantNumber(201), { prefer: 'respond-async' });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('preference-applied')).toBe('respond-async');
  });

  it('every API header of every answer (200, 202, polls, 401, 404, 422, operations) is in the document for that operation and status', async () => {
    seen.length = 0;
    expect((await post('/probabilities', applicantNumber(202))).status).toBe(200);
    expect((await post('/probabilities', applicantNumber(202), { prefer: 'wait=2' })).status).toBe(200);
    expect((await post('/decisions', applicantNumber(204), { prefer: 'respond-async' })).status).toBe(202);
    expect((await post('/scores/batch', { applicants: [applicantNumber(202)] })).status).toBe(200);
    const cachedJob = await post('/jobs', { applicant: EXAMPLE_APPLICANT });
    expect(cachedJob.status).toBe(200);
    expect(cachedJob.headers.get('location')).toMatch(/^\/jobs\/\S+$/);
    expect((await post('/jobs', {})).status).toBe(422);
    expect((await call('GET', '/jobs/{id}', '/jobs/no-such-job')).status).toBe(404);
    expect((await call('GET', '/metrics', '/metrics')).status).toBe(401);
    for (const path of ['/', '/healthz', '/readyz', '/openapi.json']) {
      expect((await call('GET', path, path)).status, path).toBe(200);
    }

    // No worker: a job stays queued, and its poll says when to come back.
    await stack.stopWorkers();
    const queued = await post('/jobs', { applicant: applicantNumber(203) });
    expect(queued.status).toBe(202);
    const poll = await call('GET', '/jobs/{id}', queued.headers.get('location')!);
    expect(await poll.json()).toMatchObject({ status: 'queued' });
    expect(poll.headers.get('retry-after')).toBe('1');

    expect(seen.length).toBe(14);
    const undocumented = seen.flatMap(({ method, path, status, headers }) => {
      const response = document.paths[path]?.[method]?.responses[String(status)];
      if (!response) return [`${method} ${path} ${status}: no such response in the document`];
      const documented = Object.keys(response.headers ?? {}).map((name) => name.toLowerCase());
      return headers.filter((name) => !documented.includes(name)).map((name) => `${method} ${path} ${status}: ${name}`);
    });
    expect(undocumented).toEqual([]);
  });

  it('POST /jobs: the validating schema and the documented one-of accept and refuse the same bodies', () => {
    const validate = jobRequest(10);
    const documented = jobRequestDocument(10);
    const bodies = [
      {},
      { applicant: EXAMPLE_APPLICANT },
      { applicants: [EXAMPLE_APPLICANT] },
      { applicant: EXAMPLE_APPLICANT, applicants: [EXAMPLE_APPLICANT] },
      { applicants: [] },
      { applicants: Array.from({ length: 11 }, () => EXAMPLE_APPLICANT) },
      { applicant: EXAMPLE_APPLICANT, extra: 1 },
      { applicant: { ...EXAMPLE_APPLICANT, age_in_years: 5 } },
    ];
    const verdicts = bodies.map((body) => [validate.safeParse(body).success, documented.safeParse(body).success]);
    expect(verdicts.map(([validates]) => validates)).toEqual([false, true, true, false, false, false, false, false]);
    for (const [validates, documents] of verdicts) expect(documents).toBe(validates);
    const schemas = (document as unknown as { components: { schemas: Record<string, { oneOf?: unknown[] }> } })
      .components.schemas;
    expect(schemas.JobRequest?.oneOf).toHaveLength(2);
  });
});
