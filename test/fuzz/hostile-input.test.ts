import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFigures } from '../support/figures.js';
import { HTTP_LANES } from '../support/lanes.js';
import { keysUnder } from '../support/redis.js';
import { Stack } from '../support/stack.js';
import { FUZZ_BATCH_MAX_ITEMS, hostileRequest, type HostileRequest } from './hostile-bodies.js';
import { hostileJobPath, wrongMethod } from './hostile-paths.js';

/** Requests per property run, sent at once (over keep-alive connections); runs × this ≥ 10,000 bodies. */
const CONCURRENCY = 8;
const BODY_RUNS = 1250;
const PATH_RUNS = 125;
/** RFC 6901: "" or a sequence of /-prefixed segments in which ~ only appears as ~0 or ~1. */
const JSON_POINTER = /^(\/([^~/]|~[01])*)*$/;

interface Problem {
  status?: unknown;
  code?: unknown;
  title?: unknown;
  errors?: Array<{ path?: unknown; message?: unknown }>;
}

/** The request's bytes: UTF-8; for compressed-labelled requests half the time really gzipped, else garbage to the decoder. */
function bodyBytes(request: HostileRequest): Uint8Array {
  const bytes = Buffer.from(request.text, 'utf8');
  return request.headers['content-encoding'] === 'gzip' && request.text.length % 2 === 0 ? gzipSync(bytes) : bytes;
}

/** Checks one answer is a 4xx RFC 9457 problem with a code; returns the parsed problem. */
function expectProblem(status: number, contentType: string | null, text: string, what: string): Problem {
  expect(status, what).toBeGreaterThanOrEqual(400);
  expect(status, what).toBeLessThan(500);
  expect(contentType, what).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(text) as Problem;
  expect(problem.status, what).toBe(status);
  expect(typeof problem.code === 'string' && problem.code.length > 0, what).toBe(true);
  return problem;
}

describe('fuzz: hostile requests on every endpoint, over both HTTP lanes, get a 4xx problem and reach nothing in Redis', () => {
  const lanes: Array<{ lane: string; stack: Stack; queueKeysBefore: string[]; wellFormedPolls: number }> = [];
  const statuses: Record<string, number> = {};
  const count = (lane: string, status: number) => {
    const bucket = `${lane} ${status}`;
    statuses[bucket] = (statuses[bucket] ?? 0) + 1;
  };

  beforeAll(async () => {
    for (const { lane, env } of HTTP_LANES) {
      // No worker; SYNC_WAIT_MS 0, so a valid body that slipped through would answer 202 at once (and be
      // caught). A window longer than the file, so the write counter counts every poll it is sent.
      const stack = await Stack.start({
        SYNC_WAIT_MS: '0',
        BATCH_MAX_ITEMS: String(FUZZ_BATCH_MAX_ITEMS),
        RATE_LIMIT_WINDOW_SECONDS: '3600',
        ...env,
      });
      const queueKeysBefore = (await keysUnder(stack.redis, stack.config.QUEUE_PREFIX)).sort();
      lanes.push({ lane, stack, queueKeysBefore, wellFormedPolls: 0 });
    }
  });
  afterAll(async () => {
    for (const { stack } of lanes.splice(0)) await stack.stop();
  });

  it(`${BODY_RUNS * CONCURRENCY} generated bodies on the POST endpoints -> zero 5xx, every answer a problem+json with a code, 422s with JSON-pointer paths to the defect`, async () => {
    let sent = 0;
    const started = performance.now();

    const check = async ([request, laneIndex]: [HostileRequest, number]) => {
      const { lane, stack } = lanes[laneIndex]!;
      const response = await fetch(`${stack.url}${request.path}`, {
        method: 'POST',
        headers: request.headers,
        body: bodyBytes(request),
      });
      const text = await response.text();
      sent += 1;
      count(lane, response.status);
      const what = `${lane}: ${fc.stringify(request)} -> ${response.status} ${text.slice(0, 300)}`;

      const problem = expectProblem(response.status, response.headers.get('content-type'), text, what);
      if (request.expectedStatus !== undefined) expect(response.status, what).toBe(request.expectedStatus);
      if (response.status !== 422) return;
      expect(problem.code, what).toBe('INVALID_INPUT');
      expect(Array.isArray(problem.errors) && problem.errors.length > 0, what).toBe(true);
      for (const error of problem.errors!) {
        expect(typeof error.path === 'string' && JSON_POINTER.test(error.path), what).toBe(true);
        expect(typeof error.message === 'string' && error.message.length > 0, what).toBe(true);
      }
      if (request.defectPointer !== undefined) {
        expect(
          problem.errors!.map((e) => e.path),
          what,
        ).toContain(request.defectPointer);
      }
    };

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(hostileRequest, fc.nat(lanes.length - 1)), {
          minLength: CONCURRENCY,
          maxLength: CONCURRENCY,
        }),
        async (requests) => {
          await Promise.all(requests.map(check));
        },
      ),
      { numRuns: BODY_RUNS },
    );

    reportFigures('fuzz: hostile bodies', {
      bodies: sent,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      statuses: JSON.stringify(statuses),
    });
    expect(sent).toBeGreaterThanOrEqual(10_000);
  }, 120_000);

  it(`${PATH_RUNS * CONCURRENCY} made-up job ids and wrong methods -> zero 5xx, every answer a problem+json, unknown well-formed ids 404 NOT_FOUND`, async () => {
    const { stack } = lanes[0]!;
    let sent = 0;
    const send = async (method: string, path: string, laneIndex: number) => {
      const { lane, stack: target } = lanes[laneIndex]!;
      const response = await fetch(`${target.url}${path}`, {
        method,
        ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
      const text = await response.text();
      sent += 1;
      count(lane, response.status);
      return {
        response,
        text,
        what: `${lane}: ${method} ${path.slice(0, 200)} -> ${response.status} ${text.slice(0, 300)}`,
      };
    };

    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.oneof(
              {
                weight: 4,
                arbitrary: hostileJobPath(stack.gateway.modelVersion).map((p) => ({ method: 'GET', ...p })),
              },
              { weight: 1, arbitrary: wrongMethod.map((m) => ({ ...m, expectNotFound: false, wellFormed: false })) },
            ),
            fc.nat(lanes.length - 1),
          ),
          { minLength: CONCURRENCY, maxLength: CONCURRENCY },
        ),
        async (requests) => {
          await Promise.all(
            requests.map(async ([{ method, path, expectNotFound, wellFormed }, laneIndex]) => {
              if (wellFormed) lanes[laneIndex]!.wellFormedPolls += 1;
              const { response, text, what } = await send(method, path, laneIndex);
              // `/jobs/..`, `/jobs/.` and the like are resolved by the client before they are sent: they
              // reach another path (the landing page, POST-only /jobs), which must merely not fail.
              if (new URL(path, 'http://client').pathname !== path) {
                expect(response.status, what).toBeLessThan(500);
                return;
              }
              const problem = expectProblem(response.status, response.headers.get('content-type'), text, what);
              if (expectNotFound) {
                expect(response.status, what).toBe(404);
                expect(problem.code, what).toBe('NOT_FOUND');
              }
            }),
          );
        },
      ),
      { numRuns: PATH_RUNS },
    );
    reportFigures('fuzz: made-up job ids and wrong methods', { requests: sent });
    expect(sent).toBe(PATH_RUNS * CONCURRENCY);
  });

  it('after the fuzzing, on both lanes: no cache key, only the write counter its well-formed polls spent, no new key under the queue prefix, no job', async () => {
    expect(lanes).toHaveLength(HTTP_LANES.length);
    for (const { stack, queueKeysBefore, wellFormedPolls } of lanes) {
      // Polling a well-formed id costs a unit of the client's write budget even when it names nothing:
      // finding that out reads Redis, and that work is what the budget bounds.
      const writeCounter = `${stack.config.BOOKKEEPING_PREFIX}:rl:write:127.0.0.1`;
      expect(wellFormedPolls).toBeGreaterThan(0);
      expect(await keysUnder(stack.redis, stack.config.CACHE_PREFIX)).toEqual([writeCounter]);
      expect(Number(await stack.redis.get(writeCounter))).toBe(wellFormedPolls);
      expect((await keysUnder(stack.redis, stack.config.QUEUE_PREFIX)).sort()).toEqual(queueKeysBefore);
      expect(await stack.jobCount()).toBe(0);
    }
  });
});
