import { connect } from 'node:net';
import { KeySpace } from '../../shared/keys.js';
import { afterEach, describe, expect, it } from 'vitest';
import { chunkJobId } from '../../shared/portfolios.js';
import type { PortfolioWorker } from '../../worker/portfolio-worker.js';
import { applicantNumber, EXAMPLE_APPLICANT } from '../support/applicants.js';
import { Stack } from '../support/stack.js';
import { waitUntil } from '../support/wait.js';
import {
  CSV_COLUMNS,
  csvOf,
  ndjsonLines,
  obliteratePortfolioQueue,
  portfolioKeys,
  startPortfolioWorkerFor,
  untilFinished,
  upload,
} from './support.js';

const HEADER = ['id', ...CSV_COLUMNS].join(',');

describe('portfolios: bad rows, cancellation, limits, abandoned uploads', () => {
  let stack: Stack;
  let worker: PortfolioWorker | undefined;
  /** The Location of an accepted upload, once the portfolio has finished. */
  async function untilFinishedAt(accepted: Response): Promise<string> {
    expect(accepted.status).toBe(202);
    const location = accepted.headers.get('location')!;
    await untilFinished(stack, location);
    return location;
  }
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    await obliteratePortfolioQueue(stack);
    await stack.stop();
  });

  it('bad rows answered in place with line, field path and the 422 message of /scores; good rows around them scored', async () => {
    stack = await Stack.start({ PORTFOLIO_CHUNK_ROWS: '3' });
    await stack.startWorker();
    worker = await startPortfolioWorkerFor(stack);
    const good = EXAMPLE_APPLICANT;
    const csv = [
      HEADER,
      'a,0.25,30,yes,unemployed,male: single',
      'b,0.25,abc,yes,unemployed,male: single',
      'c,0.25,17,maybe,unemployed,male: single',
      'd,0.25,30,yes',
      'e,0.25,30,yes,unemployed,male: single',
    ].join('\n');
    // The same rows as JSON bodies: what /scores says about each is the expected message.
    const asJson = [
      { ...good, age_in_years: 'abc' },
      { ...good, age_in_years: 17, foreign_worker: 'maybe' },
    ];
    const expectedErrors = await Promise.all(
      asJson.map(async (body) => {
        const response = await stack.post('/scores', body);
        expect(response.status).toBe(422);
        return ((await response.json()) as { errors: unknown }).errors;
      }),
    );
    const score = await (await stack.post('/scores', good, { prefer: 'wait=8' })).json();

    const accepted = await upload(stack, csv);
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ rows_total: 5, rows_invalid: 3 });
    const location = accepted.headers.get('location')!;
    expect(await untilFinished(stack, location)).toMatchObject({ status: 'completed', rows_done: 5, rows_invalid: 3 });

    const lines = await ndjsonLines(await fetch(`${stack.url}${location}/results`));
    expect(lines).toEqual([
      { line: 2, id: 'a', ...(score as object) },
      { line: 3, id: 'b', errors: expectedErrors[0] },
      { line: 4, id: 'c', errors: expectedErrors[1] },
      { line: 5, id: 'd', errors: [{ path: '', message: 'expected 6 columns, got 4' }] },
      { line: 6, id: 'e', ...(score as object) },
    ]);
  });

  it('line numbers count blank lines and quoted line breaks; NDJSON lines that are not JSON objects answered in place', async () => {
    stack = await Stack.start();
    await stack.startWorker();
    worker = await startPortfolioWorkerFor(stack);
    const csv = [
      HEADER,
      '"multi\nline id",0.25,30,yes,unemployed,male: single',
      '',
      'b,0.25,30,yes,unemployed,male: single',
    ].join('\n');
    const fromCsv = await upload(stack, csv);
    const csvLines = await ndjsonLines(await fetch(`${stack.url}${await untilFinishedAt(fromCsv)}/results`));
    expect(csvLines.map((row) => [row.line, row.id])).toEqual([
      [2, 'multi\nline id'],
      [5, 'b'],
    ]);

    const ndjson = [
      '{"id":"x",',
      '',
      '[1,2]',
      JSON.stringify({ id: 'ok', ...EXAMPLE_APPLICANT }),
      '{"id":"u","shoe_size":44}',
    ].join('\n');
    const fromNdjson = await upload(stack, ndjson, 'application/x-ndjson');
    const lines = await ndjsonLines(await fetch(`${stack.url}${await untilFinishedAt(fromNdjson)}/results`));
    expect(lines[0]).toEqual({ line: 1, errors: [{ path: '', message: 'not valid JSON' }] });
    expect(lines[1]).toEqual({ line: 3, errors: [{ path: '', message: 'not a JSON object' }] });
    expect(lines[2]).toMatchObject({ line: 4, id: 'ok', decision: 'DECLINE' });
    expect(lines[3]).toMatchObject({ line: 5, id: 'u' });
    expect(lines[3]!.errors).toContainEqual({ path: '/shoe_size', message: 'Unknown field' });
  });

  it('DELETE before any chunk ran -> cancelled, waiting chunk jobs removed, the model never runs, every row answered "cancelled"', async () => {
    stack = await Stack.start({ PORTFOLIO_CHUNK_ROWS: '7' });
    const rows = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, applicant: applicantNumber(i * 100) }));
    const accepted = await upload(stack, csvOf(rows));
    const location = accepted.headers.get('location')!;
    const id = location.split('/').pop()!;

    const cancelled = await fetch(`${stack.url}${location}`, { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled', rows_total: 20, rows_done: 0 });
    const { getJob } = await import('./support-queue.js').then((m) => m.portfolioQueue(stack));
    for (let chunk = 0; chunk < 3; chunk++) expect(await getJob(chunkJobId(id, chunk))).toBeUndefined();

    worker = await startPortfolioWorkerFor(stack);
    const results = await ndjsonLines(await fetch(`${stack.url}${location}/results`));
    expect(results).toHaveLength(20);
    expect(results.every((row) => row.error === 'cancelled before this row was scored')).toBe(true);
    expect(await stack.answerKeys()).toEqual([]);
  });

  it('PORTFOLIO_MAX_ROWS=5: a 6-row file -> 413 TOO_MANY_ROWS, nothing kept in Redis, no job', async () => {
    stack = await Stack.start({ PORTFOLIO_MAX_ROWS: '5', PORTFOLIO_CHUNK_ROWS: '2' });
    const rows = Array.from({ length: 6 }, (_, i) => ({ applicant: applicantNumber(i) }));
    const response = await upload(stack, csvOf(rows));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'TOO_MANY_ROWS' });
    expect(await portfolioKeys(stack)).toEqual([]);
    const { counts } = await import('./support-queue.js').then((m) => m.portfolioQueue(stack));
    expect(await counts()).toBe(0);
  });

  it('PORTFOLIO_MAX_ACTIVE=1: a second unfinished portfolio -> 429; once the first is cancelled, accepted', async () => {
    stack = await Stack.start({ PORTFOLIO_MAX_ACTIVE: '1' });
    const file = csvOf([{ applicant: EXAMPLE_APPLICANT }]);
    const first = await upload(stack, file);
    expect(first.status).toBe(202);
    const second = await upload(stack, file);
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ code: 'TOO_MANY_PORTFOLIOS' });
    await fetch(`${stack.url}${first.headers.get('location')}`, { method: 'DELETE' });
    expect((await upload(stack, file)).status).toBe(202);
  });

  it('RATE_LIMIT_WRITES: chunks spend the write budget; past it mid-file -> 429, nothing kept', async () => {
    stack = await Stack.start({ RATE_LIMIT_WRITES: '3', PORTFOLIO_CHUNK_ROWS: '2' });
    const rows = Array.from({ length: 10 }, (_, i) => ({ applicant: applicantNumber(i) }));
    const response = await upload(stack, csvOf(rows));
    expect(response.status).toBe(429);
    expect(await portfolioKeys(stack)).toEqual([]);
  });

  it('a header naming an unknown or no column -> 422 with /header paths; JSON -> 415; broken CSV quoting -> 400', async () => {
    stack = await Stack.start();
    const badHeader = await upload(stack, 'agee,installment_rate_in_percentage_of_disposable_income\n1,2\n');
    expect(badHeader.status).toBe(422);
    const problems = ((await badHeader.json()) as { errors: Array<{ path: string; message: string }> }).errors;
    expect(problems).toContainEqual({ path: '/header/agee', message: 'Unknown field' });
    expect(problems).toContainEqual({ path: '/header/age_in_years', message: 'Missing column' });
    expect((await upload(stack, '{}', 'application/json')).status).toBe(415);
    const broken = await upload(stack, `${HEADER}\n"x,0.25,30,yes,unemployed,male: single\n`);
    expect(broken.status).toBe(400);
    expect(await portfolioKeys(stack)).toEqual([]);
  });

  it('a row of 1 MB without a line break, CSV or NDJSON -> 413 LINE_TOO_LONG (the gateway never buffers it), nothing kept', async () => {
    stack = await Stack.start();
    const endless = 'x'.repeat(1024 * 1024);
    for (const [type, body] of [
      ['text/csv', `${HEADER}\n${endless}`],
      ['application/x-ndjson', `{"id":"${endless}"}`],
    ] as const) {
      const response = await upload(stack, body, type);
      expect(response.status, type).toBe(413);
      expect(await response.json()).toMatchObject({ code: 'LINE_TOO_LONG' });
    }
    expect(await portfolioKeys(stack)).toEqual([]);
  });

  it('an upload that stops mid-way: PORTFOLIO_IDLE_TIMEOUT_MS cuts it and every key it wrote is gone, no job', async () => {
    stack = await Stack.start({
      PORTFOLIO_IDLE_TIMEOUT_MS: '1500',
      PORTFOLIO_CHUNK_ROWS: '2',
    });
    const { port } = new URL(stack.url);
    const socket = connect(Number(port), '127.0.0.1');
    const part = `${HEADER}\n${Array.from({ length: 5 }, (_, i) => `x${i},0.25,30,yes,unemployed,male: single`).join('\n')}\n`;
    socket.write(
      `POST /portfolios HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`,
    );
    // While it hangs, the chunks it sent are stored...
    await waitUntil('the first chunks to be stored', async () =>
      (await portfolioKeys(stack)).some((key) => key.includes(':in:')),
    );
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('error', () => undefined);
    // The gateway has sent a 103 (where to watch the upload): unread, it would hold back the close.
    socket.resume();
    // ...and once the deadline passes, the connection is closed and nothing is left.
    await closed;
    await waitUntil('the abandoned upload to leave nothing', async () => (await portfolioKeys(stack)).length === 0);
    const { counts } = await import('./support-queue.js').then((m) => m.portfolioQueue(stack));
    expect(await counts()).toBe(0);
  });

  it('Redis holds no applicant data and no client id in the clear: key names are opaque, chunks sealed', async () => {
    stack = await Stack.start({ PORTFOLIO_CHUNK_ROWS: '2' });
    const rows = [
      { id: 'customer-4711', applicant: EXAMPLE_APPLICANT },
      { id: 'customer-4712', applicant: applicantNumber(5) },
    ];
    const accepted = await upload(stack, csvOf(rows));
    expect(accepted.status).toBe(202);
    const keys = await portfolioKeys(stack);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatch(
        new RegExp(`^${KeySpace.of(stack.config).portfolio('')}([A-Za-z0-9_-]{22}(:in:\\d+)?|active:[^:]+)$`),
      );
      if (key.includes(':in:')) {
        const stored = (await stack.redis.getBuffer(key))!.toString('latin1');
        expect(stored).not.toContain('customer');
        expect(stored).not.toContain('unemployed');
      }
    }
  });
});
