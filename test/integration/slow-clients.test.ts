import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stack } from '../support/stack.js';

const HEADERS_TIMEOUT_MS = 1500;
const REQUEST_TIMEOUT_MS = 2500;
/** Node checks deadlines once a second (api/http/server.ts), plus scheduling noise on a busy machine. */
const SLACK_MS = 2500;

/** Opens a raw connection, sends `chunks` one every `everyMs`, and reports what came back and when it closed. */
function trickle(url: string, chunks: string[], everyMs: number): Promise<{ reply: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(Number(port), hostname);
    let reply = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < chunks.length && !socket.destroyed) socket.write(chunks[sent++]!);
    }, everyMs);
    socket.on('data', (data) => (reply += data.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ reply, closedAfterMs: performance.now() - started });
    });
  });
}

describe('slow clients (slowloris) cannot hold the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
  });
  afterAll(() => stack.stop());

  it('headers trickled one line every 400 ms: 408 and the socket closed near HTTP_HEADERS_TIMEOUT_MS', async () => {
    const lines = [
      'POST /decisions HTTP/1.1\r\n',
      'Host: x\r\n',
      ...Array.from({ length: 50 }, (_, i) => `X-Slow-${i}: 1\r\n`),
    ];
    const { reply, closedAfterMs } = await trickle(stack.url, lines, 400);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
    expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
  });

  it('a body trickled a byte every 300 ms: 408 and the socket closed near HTTP_REQUEST_TIMEOUT_MS', async () => {
    const head = 'POST /decisions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n';
    const { reply, closedAfterMs } = await trickle(stack.url, [head, ...'{"age_in_years": 30'.split('')], 300);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
  });

  it('while slow clients hang on, a normal request is answered', async () => {
    const slow = Array.from({ length: 20 }, () => trickle(stack.url, ['POST /decisions HTTP/1.1\r\n'], 10_000));
    const response = await stack.post('/decisions', {});
    expect(response.status).toBe(422);
    await Promise.all(slow);
  });
});
