import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Applicant } from '../../shared/applicant.js';
import { applicantCode } from '../../shared/keys.js';
import { SCORE_QUEUE } from '../../shared/queues.js';
import { keysUnder } from '../support/redis.js';
import { Stack } from '../support/stack.js';

const ADMIN = { user: 'admin', password: 'privacy-test-admin-password' };
const AUTH = { authorization: `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}` };

/** Ages no timestamp, pid or probability spells as a whole token, so finding one is meaningful. */
const AGES = [87, 93, 97, 101, 113];
const STATUSES = ['female: single', 'male: divorced/separated', 'male: married/widowed'] as const;
const EMPLOYMENT = ['4 to 7 years', '7 years or more'] as const;
const applicants: Applicant[] = AGES.flatMap((age, i) =>
  STATUSES.map((status, j) => ({
    installment_rate_in_percentage_of_disposable_income: 0.3,
    age_in_years: age,
    foreign_worker: 'no',
    present_employment_since: EMPLOYMENT[(i + j) % 2]!,
    personal_status_and_sex: status,
  })),
);

/**
 * Where a raw applicant value shows in `text`: an age as a whole number token (not inside a longer
 * number, a decimal or a word), a category string, an applicant code (a token too), an old
 * `<version>-<code>` id.
 */
function findPersonalData(text: string, modelVersion: string): string[] {
  const found: string[] = [];
  for (const age of AGES) {
    const match = new RegExp(`(?<![\\w.-])${age}(?![\\w.-])`).exec(text);
    // With what surrounds it, so a failure shows where.
    if (match) found.push(`age ${age} in …${text.slice(Math.max(0, match.index - 60), match.index + 20)}…`);
  }
  for (const value of [...STATUSES, ...EMPLOYMENT]) if (text.includes(value)) found.push(value);
  for (const code of new Set(applicants.map(applicantCode))) {
    // A code is a short number (0–3,599): as a whole token, like an age, not inside a timestamp or an id.
    const match = new RegExp(`(?<![\\w.-])${code}(?![\\w.-])`).exec(text);
    if (match) found.push(`code ${code} in …${text.slice(Math.max(0, match.index - 60), match.index + 20)}…`);
    if (text.includes(`${modelVersion}-${code}`)) found.push(`old id of ${code}`);
  }
  return found;
}

/** Fields of a log line that are measurements, not data: a response time of 93 ms is not an age. */
const MEASUREMENTS = new Set(['time', 'pid', 'level', 'responseTime', 'modelMs', 'port', 'timeoutMs']);

/** A log line without its measurement fields (at any depth); lines that are not JSON stay as they are. */
function withoutMeasurements(line: string): string {
  try {
    return JSON.stringify(JSON.parse(line), (key, value: unknown) =>
      MEASUREMENTS.has(key) && typeof value === 'number' ? undefined : value,
    );
  } catch {
    return line;
  }
}

describe('no personal data in logs, the board, Redis key names or job data', () => {
  const logLines: string[] = [];
  let stack: Stack;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    // One logger for the gateway and the worker, both at debug: every line either process writes.
    stack = await Stack.start(
      { ADMIN_USER: ADMIN.user, ADMIN_PASSWORD: ADMIN.password, SYNC_WAIT_MS: '3000', LOG_LEVEL: 'debug' },
      pino({ level: 'debug' }, sink),
    );
    await stack.startWorker();

    // A realistic mix: sync misses then hits, async singles and a batch, polls of each.
    const [first, second, ...rest] = applicants;
    for (const applicant of [first, second]) {
      expect((await stack.post('/scores', applicant)).status).toBe(200);
      expect((await stack.post('/decisions', applicant)).status).toBe(200);
    }
    const single = await stack.post('/jobs', { applicant: rest[0] });
    const batch = await stack.post('/jobs', { applicants: rest.slice(1) });
    const cachedBatch = await stack.post('/jobs', { applicants: [first, second] });
    expect([single.status, batch.status, cachedBatch.status]).toEqual([202, 202, 200]);
    expect((await stack.post('/scores/batch', { applicants: [first, rest[0], rest[1]] })).status).toBe(200);
    for (const location of [single.headers.get('location')!, batch.headers.get('location')!]) {
      for (let i = 0; i < 50; i++) {
        const { body } = await stack.get<{ status: string }>(location);
        if (body.status === 'completed') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await stack.get<{ status: string }>(location)).body.status).toBe('completed');
    }
  });
  afterAll(() => stack.stop());

  it('the mix was logged at all (the scan below is not vacuous)', () => {
    expect(logLines.filter((line) => line.includes('"reqId"') || line.includes('"req"')).length).toBeGreaterThan(10);
  });

  it('log lines of the gateway and the worker', () => {
    expect(findPersonalData(logLines.map(withoutMeasurements).join('\n'), stack.gateway.modelVersion)).toEqual([]);
  });

  it("Bull Board's API answers, with admin credentials", async () => {
    const board = `${stack.url}/admin/queues/api`;
    const bodies: string[] = [];
    for (const status of ['latest', 'completed', 'failed', 'waiting', 'active']) {
      const response = await fetch(`${board}/queues?activeQueue=${SCORE_QUEUE}&status=${status}&page=1`, {
        headers: AUTH,
      });
      expect(response.status).toBe(200);
      bodies.push(await response.text());
    }
    const jobs = await stack.gateway.queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      const response = await fetch(`${board}/queues/${SCORE_QUEUE}/${job.id}`, { headers: AUTH });
      expect(response.status).toBe(200);
      bodies.push(await response.text());
    }
    expect(findPersonalData(bodies.join('\n'), stack.gateway.modelVersion)).toEqual([]);
  });

  it('every Redis key name under the stack prefixes', async () => {
    const keys = [
      ...(await keysUnder(stack.redis, `${stack.config.CACHE_PREFIX}:`)),
      ...(await keysUnder(stack.redis, stack.config.QUEUE_PREFIX)),
    ];
    expect(keys.length).toBeGreaterThan(applicants.length);
    expect(findPersonalData(keys.join('\n'), stack.gateway.modelVersion)).toEqual([]);
  });

  it("every job's stored name, data, return value and failure, as Redis holds them", async () => {
    const jobKeys = (await keysUnder(stack.redis, stack.config.QUEUE_PREFIX)).filter(
      (key) => (key.match(/:/g) ?? []).length === 2 && key.split(':')[2]!.startsWith('m-'),
    );
    expect(jobKeys.length).toBeGreaterThan(0);
    const stored: string[] = [];
    for (const key of jobKeys) stored.push(JSON.stringify(await stack.redis.hgetall(key)));
    expect(findPersonalData(stored.join('\n'), stack.gateway.modelVersion)).toEqual([]);
  });
});
