import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Score } from '../../shared/score.js';
import { applicantCode } from '../../shared/keys.js';
import { EXAMPLE_APPLICANT, applicantNumber } from '../support/applicants.js';
import { Stack } from '../support/stack.js';

interface JobBody {
  id: string;
  status: string;
  result?: Score | Score[];
  error?: string;
  links: { self: string };
}

describe('async jobs, /scores, batches and Prefer, over a real Redis, queue and model', () => {
  let stack: Stack;
  let next = 100;
  const freshApplicant = () => applicantNumber(next++);

  beforeAll(async () => {
    // SYNC_WAIT_MS may not exceed SYNC_WAIT_MAX_MS (the config refuses it).
    stack = await Stack.start({ SYNC_WAIT_MS: '3000', SYNC_WAIT_MAX_MS: '3000', BATCH_MAX_ITEMS: '50' });
    await stack.startWorker();
  });
  afterAll(() => stack.stop());
  afterEach(() => {
    stack.modelRuns = 0;
  });

  async function pollUntilFinished(location: string): Promise<JobBody> {
    for (let tries = 0; tries < 100; tries++) {
      const { body } = await stack.get<JobBody>(location);
      if (body.status === 'completed' || body.status === 'failed') return body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${location} did not finish`);
  }

  it('POST /scores -> all three answers and the model version in one call', async () => {
    const response = await stack.post('/scores', EXAMPLE_APPLICANT);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Score;
    expect(Object.keys(body).sort()).toEqual([
      'decision',
      'expected_cost',
      'model_version',
      'probability',
      'reasons',
      'risk_category',
    ]);
    expect(body.model_version).toBe(response.headers.get('x-model-version'));
  });

  it('POST /jobs -> 202 + Location -> poll -> completed with the same answer as the sync endpoint', async () => {
    const applicant = freshApplicant();
    const submitted = await stack.post('/jobs', { applicant });
    expect(submitted.status).toBe(202);
    const location = submitted.headers.get('location')!;
    const body = (await submitted.json()) as JobBody;
    expect(body).toMatchObject({ status: 'queued', links: { self: location } });
    expect(location).toBe(`/jobs/${body.id}`);

    const finished = await pollUntilFinished(location);
    expect(finished.status).toBe('completed');
    const sync = await stack.post('/scores', applicant);
    expect(sync.headers.get('x-cache')).toBe('HIT');
    expect(finished.result).toEqual(await sync.json());
    expect(stack.modelRuns).toBe(1);
  });

  it('POST /jobs for a cached applicant -> completed at once, without adding a job', async () => {
    const applicant = freshApplicant();
    await stack.post('/scores', applicant);
    const jobsBefore = await stack.jobCount();
    const response = await stack.post('/jobs', { applicant });
    expect(response.status).toBe(200);
    const body = (await response.json()) as JobBody;
    expect(body.status).toBe('completed');
    expect((body.result as Score).model_version).toBe(stack.gateway.modelVersion);
    expect(await stack.jobCount()).toBe(jobsBefore);
    // And the id is pollable like any other.
    expect((await stack.get<JobBody>(body.links.self)).body.status).toBe('completed');
  });

  it('Prefer: respond-async -> 202 at once with Preference-Applied; the job still completes', async () => {
    const response = await stack.post('/probabilities', freshApplicant(), { prefer: 'respond-async' });
    expect(response.status).toBe(202);
    expect(response.headers.get('preference-applied')).toBe('respond-async');
    expect((await pollUntilFinished(response.headers.get('location')!)).status).toBe('completed');
  });

  it('Prefer: wait=N is honoured up to SYNC_WAIT_MAX_MS and echoed in Preference-Applied', async () => {
    const within = await stack.post('/decisions', freshApplicant(), { prefer: 'wait=2' });
    expect(within.status).toBe(200);
    expect(within.headers.get('preference-applied')).toBe('wait=2');
    const capped = await stack.post('/decisions', freshApplicant(), { prefer: 'wait=600' });
    expect(capped.headers.get('preference-applied')).toBe('wait=3');
  });

  it('job ids are opaque: neither the model version nor the applicant code; the old `<version>-<code>` id is 404', async () => {
    const applicant = { ...EXAMPLE_APPLICANT, age_in_years: 87 };
    const code = applicantCode(applicant);
    const submitted = await stack.post('/jobs', { applicant });
    const { id } = (await submitted.json()) as JobBody;
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (const revealing of [code, stack.gateway.modelVersion, '87']) expect(id).not.toContain(revealing);
    expect(submitted.headers.get('location')).toBe(`/jobs/${id}`);
    await pollUntilFinished(`/jobs/${id}`);
    // Whoever knows the five fields cannot build an id to ask whether such a person was scored.
    expect((await fetch(`${stack.url}/jobs/${stack.gateway.modelVersion}-${code}`)).status).toBe(404);
    // The same applicant asked again (any gateway, any time) gets the same id: waits and polls key by it.
    expect(((await (await stack.post('/jobs', { applicant })).json()) as JobBody).id).toBe(id);
  });

  it('GET /jobs/{unknown} -> 404 problem+json; a malformed id likewise', async () => {
    for (const id of [
      `${stack.gateway.modelVersion}-1099044`,
      'batch-0123456789abcdef0123456789abcdef',
      'AAAAAAAAAAAAAAAAAAAAAA',
      'q83vEjRWeJCrze8SNFZ4kA',
      '1',
      '../admin',
    ]) {
      const response = await fetch(`${stack.url}/jobs/${encodeURIComponent(id)}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('POST /scores/batch: mixed hits, misses and duplicates -> results in request order, each distinct miss scored once', async () => {
    const [cached, newA, newB] = [freshApplicant(), freshApplicant(), freshApplicant()];
    await stack.post('/scores', cached);
    // How often the queue carried newA or newB, read from the jobs themselves: the worker's local
    // 'completed' event may land after the answer (and a previous test's may land in this one).
    const timesQueued = async () => {
      const ids = new Set([stack.publicId(newA!), stack.publicId(newB!)]);
      const jobs = await stack.gateway.queue.getJobs(['completed', 'active', 'waiting', 'delayed', 'failed']);
      return jobs.flatMap((job) => stack.jobItems(job.data)).filter((item) => ids.has(item.id)).length;
    };
    const applicants = [newA, cached, newB, newA, cached, newA];
    const response = await stack.post('/scores/batch', { applicants });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('MISS');
    const { results } = (await response.json()) as { results: Score[] };
    expect(results).toHaveLength(6);
    expect(await timesQueued()).toBe(2);
    for (const [i, applicant] of applicants.entries()) {
      expect(results[i]).toEqual(await (await stack.post('/scores', applicant)).json());
    }
    expect(results[0]).toEqual(results[3]);

    const again = await stack.post('/scores/batch', { applicants });
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(await timesQueued()).toBe(2);
  });

  it('POST /scores/batch with an invalid item -> 422 with the item index in the path, and nothing queued', async () => {
    const jobsBefore = await stack.jobCount();
    const applicants = [freshApplicant(), freshApplicant(), { ...freshApplicant(), age_in_years: 12 }];
    const response = await stack.post('/scores/batch', { applicants });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { errors: { path: string }[] };
    expect(body.errors.map((e) => e.path)).toEqual(['/applicants/2/age_in_years']);
    expect(await stack.jobCount()).toBe(jobsBefore);
  });

  it('POST /scores/batch: empty, or over BATCH_MAX_ITEMS -> 422', async () => {
    expect((await stack.post('/scores/batch', { applicants: [] })).status).toBe(422);
    const tooMany = Array.from({ length: 51 }, (_, i) => applicantNumber(i));
    expect((await stack.post('/scores/batch', { applicants: tooMany })).status).toBe(422);
  });

  it('POST /jobs with a batch -> one id, polled to completed, results in request order', async () => {
    const applicants = [freshApplicant(), EXAMPLE_APPLICANT, freshApplicant()];
    const submitted = await stack.post('/jobs', { applicants });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as JobBody;
    // The same shape as a single applicant's id: a reader cannot tell the two apart.
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const finished = await pollUntilFinished(submitted.headers.get('location')!);
    expect(finished.status).toBe('completed');
    const results = finished.result as Score[];
    for (const [i, applicant] of applicants.entries()) {
      expect(results[i]).toEqual(await (await stack.post('/scores', applicant)).json());
    }
  });

  it('POST /jobs with both or neither of applicant/applicants -> 422', async () => {
    expect((await stack.post('/jobs', {})).status).toBe(422);
    expect((await stack.post('/jobs', { applicant: EXAMPLE_APPLICANT, applicants: [EXAMPLE_APPLICANT] })).status).toBe(
      422,
    );
  });
});

describe('from what a client has to the job in Bull Board, in one step', () => {
  const auth = { authorization: `Basic ${Buffer.from('admin:board-link-test-password').toString('base64')}` };
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ ADMIN_PASSWORD: 'board-link-test-password' });
    await stack.startWorker();
  });
  afterAll(() => stack.stop());

  async function pollFinished(location: string): Promise<JobBody & { links: { board?: string } }> {
    for (let tries = 0; tries < 100; tries++) {
      const { body } = await stack.get<JobBody & { links: { board?: string } }>(location);
      if (body.status === 'completed' || body.status === 'failed') return body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${location} did not finish`);
  }

  /** The board's API view of the job a board link names. */
  async function boardJob(link: string) {
    const match = /^\/admin\/queues\/queue\/([^/]+)\/([^/]+)$/.exec(link);
    expect(match).not.toBeNull();
    const page = await fetch(`${stack.url}${link}`, { headers: auth });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect((await fetch(`${stack.url}${link}`)).status).toBe(401);
    const api = await fetch(`${stack.url}/admin/queues/api/queues/${match![1]}/${match![2]}`, { headers: auth });
    expect(api.status).toBe(200);
    return ((await api.json()) as { job: { id: string; name: string; data: Record<string, unknown> } }).job;
  }

  it('a single job: the poll links the board job, which names the request and shows only non-personal fields', async () => {
    const submitted = await stack.post(
      '/jobs',
      { applicant: applicantNumber(300) },
      { 'x-request-id': 'req-single-1' },
    );
    const finished = await pollFinished(submitted.headers.get('location')!);
    expect(finished.status).toBe('completed');
    const job = await boardJob(finished.links.board!);
    expect(job.name).toContain('req-single-1');
    expect(job.data).toEqual({ applicants: 1, requestIds: ['req-single-1'], modelVersion: stack.gateway.modelVersion });
  });

  it('a batch: the poll links a board job that carries the batch request', async () => {
    const applicants = [applicantNumber(301), applicantNumber(302), applicantNumber(303)];
    const submitted = await stack.post('/jobs', { applicants }, { 'x-request-id': 'req-batch-1' });
    const finished = await pollFinished(submitted.headers.get('location')!);
    expect(finished.status).toBe('completed');
    const job = await boardJob(finished.links.board!);
    expect(job.data.requestIds).toContain('req-batch-1');
  });
});
