import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_APPLICANT } from '../support/applicants.js';
import { HTTP_LANES } from '../support/lanes.js';
import { Stack } from '../support/stack.js';

interface RequestLine {
  msg?: string;
  route?: string;
  req?: Record<string, unknown>;
}

describe.each(HTTP_LANES)('request logs carry route templates, not raw URLs ($lane)', ({ env }) => {
  const lines: RequestLine[] = [];
  let stack: Stack;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as RequestLine);
        done();
      },
    });
    stack = await Stack.start({ ...env, LOG_LEVEL: 'debug' }, pino({ level: 'debug' }, sink));
    await stack.startWorker();
  });
  afterAll(() => stack.stop());

  it('a poll logs /jobs/:id; a hot route logs its path without the query; an unknown path logs no path', async () => {
    const submitted = await stack.post('/jobs', { applicant: { ...EXAMPLE_APPLICANT, age_in_years: 93 } });
    const { id } = (await submitted.json()) as { id: string };
    await stack.get(`/jobs/${id}?note=secret-query`);
    await stack.post('/scores?age=93', EXAMPLE_APPLICANT);
    await fetch(`${stack.url}/applicants/93/male-single`);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const requests = lines.filter((line) => line.req);
    // What the lines say about each request, less its random id (a UUID may hold any digits).
    const text = JSON.stringify(requests.map((line) => ({ ...line.req, id: undefined, route: line.route })));
    expect(text).not.toContain(id);
    expect(text).not.toContain('secret-query');
    expect(text).not.toContain('93');
    expect(requests.every((line) => line.req!.url === undefined)).toBe(true);
    const routes = requests.map((line) => `${String(line.req!.method)} ${String(line.route)}`);
    expect(routes).toEqual(expect.arrayContaining(['POST /jobs', 'GET /jobs/:id', 'POST /scores', 'GET (unmatched)']));
  });
});
