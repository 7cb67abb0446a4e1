import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicantNumber } from '../support/applicants.js';
import { HTTP_LANES } from '../support/lanes.js';
import { Stack } from '../support/stack.js';

const AUTH = `Basic ${Buffer.from('operator:correct-horse-battery').toString('base64')}`;

/** The value of one sample line of a Prometheus exposition, 0 when absent. */
function sample(exposition: string, name: string, labels: string): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe.each(HTTP_LANES)(
  'operator surface ($lane): health, readiness, metrics, request ids, security headers',
  ({ env }) => {
    let stack: Stack;
    const metrics = async () => (await fetch(`${stack.url}/metrics`, { headers: { authorization: AUTH } })).text();

    beforeAll(async () => {
      stack = await Stack.start({
        ...env,
        ADMIN_USER: 'operator',
        ADMIN_PASSWORD: 'correct-horse-battery',
        SYNC_WAIT_MS: '200',
      });
    });
    afterAll(() => stack.stop());

    it('/healthz answers 200 while no worker runs; /readyz answers 503, with the reason for an operator', async () => {
      expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
      const { response, body } = await stack.get<{ code: string; detail: string }>('/readyz', { authorization: AUTH });
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({ code: 'NOT_READY', detail: 'no worker is connected to the queue' });
    });

    it('the request id: carried into the job (for the worker and Bull Board) and echoed back', async () => {
      const applicant = applicantNumber(300);
      const response = await stack.post('/decisions', applicant, { 'x-request-id': 'trace-abc-123' });
      expect(response.status).toBe(202);
      expect(response.headers.get('x-request-id')).toBe('trace-abc-123');
      const claim = stack.keys.claim(stack.gateway.modelVersion, stack.publicId(applicant));
      const job = await stack.gateway.queue.getJob((await stack.redis.get(claim))!);
      expect(job?.data.requestIds).toEqual(['trace-abc-123']);
    });

    it('a missing or unusable X-Request-Id is replaced by a new UUID, on hot and other routes alike', async () => {
      for (const send of [
        (headers: Record<string, string>) => fetch(`${stack.url}/healthz`, { headers }),
        (headers: Record<string, string>) => stack.post('/decisions', {}, headers),
      ]) {
        expect((await send({})).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        const bad = await send({ 'x-request-id': '<script>alert(1)</script>' });
        expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        expect((await send({ 'x-request-id': 'abc.DEF:123' })).headers.get('x-request-id')).toBe('abc.DEF:123');
      }
    });

    it('/readyz answers 200 once a worker is connected', async () => {
      await stack.startWorker();
      // The "no worker" verdict stands for up to a second (readiness is checked at most once a second).
      await expect.poll(async () => (await fetch(`${stack.url}/readyz`)).status, { timeout: 5000 }).toBe(200);
      const { body } = await stack.get<{ status: string; workers: number }>('/readyz', { authorization: AUTH });
      expect(body).toEqual({ status: 'ready', workers: 1 });
    });

    it('/metrics needs the admin credentials', async () => {
      expect((await fetch(`${stack.url}/metrics`)).status).toBe(401);
      const wrong = `Basic ${Buffer.from('operator:nope').toString('base64')}`;
      expect((await fetch(`${stack.url}/metrics`, { headers: { authorization: wrong } })).status).toBe(401);
    });

    it('/metrics: cache hits and misses, request durations and queue counts move after a miss and a hit', async () => {
      const applicant = applicantNumber(301);
      const before = await metrics();
      expect((await stack.post('/probabilities', applicant)).headers.get('x-cache')).toBe('MISS');
      expect((await stack.post('/probabilities', applicant)).headers.get('x-cache')).toBe('HIT');
      const after = await metrics();

      const lookups = (outcome: string, text: string) =>
        sample(text, 'scoring_cache_lookups_total', `endpoint="/probabilities",outcome="${outcome}"`);
      expect(lookups('miss', after) - lookups('miss', before)).toBe(1);
      expect(lookups('hit', after) - lookups('hit', before)).toBe(1);
      const requests = (text: string) =>
        sample(text, 'http_request_duration_seconds_count', 'route="/probabilities",status="200"');
      // A request is timed when its response finishes, which may be just after the client has it.
      await expect.poll(async () => requests(await metrics()) - requests(before), { timeout: 10_000 }).toBe(2);
      expect(sample(after, 'scoring_queue_jobs', 'state="completed"')).toBeGreaterThanOrEqual(1);
    });

    it("API answers carry the OWASP REST Security Cheat Sheet's headers, on hot routes and errors too", async () => {
      for (const response of [
        await fetch(`${stack.url}/healthz`),
        await stack.post('/scores', applicantNumber(301)),
        await stack.post('/decisions', '{oops'),
        await fetch(`${stack.url}/jobs/unknown`),
      ]) {
        expect(response.status).toBeLessThan(500);
        // The values the cheat sheet gives for an API's answers (its "Security Headers" section).
        expect(response.headers.get('cache-control')).toBe('no-store');
        expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('x-frame-options')).toBe('DENY');
        expect(response.headers.get('x-powered-by')).toBeNull();
        // Over plain HTTP with no trusted proxy: HSTS would pin a host that has no TLS.
        expect(response.headers.get('strict-transport-security')).toBeNull();
      }
    });

    it("pages a browser renders (landing page, board, model plots) carry helmet's page headers instead", async () => {
      for (const response of [
        await fetch(`${stack.url}/`, { headers: { accept: 'text/html' } }),
        await fetch(`${stack.url}/admin/queues`, { headers: { authorization: AUTH } }),
        await fetch(`${stack.url}/model/roc.svg`),
      ]) {
        expect(response.status).toBe(200);
        expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(response.headers.get('content-security-policy')).toContain("style-src 'self' https: 'unsafe-inline'");
        expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }
      // The landing page's JSON twin is an API answer.
      const links = await fetch(`${stack.url}/`, { headers: { accept: 'application/json' } });
      expect(links.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    });

    it('/openapi.json is OpenAPI 3.1 with every endpoint, the example applicant and the problem shape', async () => {
      const { body } = await stack.get<{
        openapi: string;
        paths: Record<string, unknown>;
        components: { schemas: Record<string, { example?: unknown }> };
      }>('/openapi.json');
      expect(body.openapi).toBe('3.1.0');
      expect(Object.keys(body.paths).sort()).toEqual(
        [
          '/',
          '/admin/queues',
          '/decisions',
          '/healthz',
          '/jobs',
          '/jobs/{id}',
          '/metrics',
          '/openapi.json',
          '/portfolios',
          '/portfolios/{id}',
          '/portfolios/{id}/results',
          '/probabilities',
          '/readyz',
          '/reasons',
          '/risk_categories',
          '/scores',
          '/scores/batch',
        ].sort(),
      );
      expect(body.components.schemas.Applicant?.example).toMatchObject({ age_in_years: 30, foreign_worker: 'yes' });
      expect(Object.keys(body.components.schemas)).toEqual(expect.arrayContaining(['Problem', 'Score', 'JobStatus']));
    });
  },
);
