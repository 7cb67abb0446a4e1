import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLog, PINO_ERROR_LEVEL } from '../support/captured-log.js';
import { HTTP_LANES } from '../support/lanes.js';
import { Stack } from '../support/stack.js';

/**
 * Sends the headers of a POST announcing `declaredBytes` of JSON, half of them, then closes the
 * socket: a client that gives up mid-body.
 */
function abortMidBody(url: string, path: string, requestId: string, declaredBytes = 1000): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${declaredBytes}\r\nX-Request-Id: ${requestId}\r\n\r\n{"applicants": [`,
      );
      setTimeout(() => socket.destroy(), 100);
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

describe.each(HTTP_LANES)(
  'attack: routes a client can aim at to cause 5xx or error logs ($lane) (issue 10, item 6)',
  ({ env }) => {
    let stack: Stack;
    const { log, lines } = capturedLog();
    const errorLines = () => lines.filter((line) => line.level >= PINO_ERROR_LEVEL);

    beforeAll(async () => {
      stack = await Stack.start({ ...env, SYNC_WAIT_MS: '0' }, log);
    });
    afterAll(() => stack.stop());

    it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
      'GET /model/%s (a name on Object.prototype) -> 404 problem+json, no error log line',
      async (name) => {
        const before = lines.length;
        const response = await fetch(`${stack.url}/model/${name}`);
        expect(response.status).toBe(404);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(lines.slice(before).filter((line) => line.level >= PINO_ERROR_LEVEL)).toEqual([]);
      },
    );

    it.each([
      ['/scores', 'the hot lane when it is on'],
      ['/scores/batch', 'Express'],
    ])('a client closing mid-body on %s (%s) -> logged below error level, no 500', async (path) => {
      const requestId = `abort-${path.replaceAll('/', '-')}-${env.HTTP_LEAN_LANE}`;
      await abortMidBody(stack.url, path, requestId);
      await expect
        .poll(() => lines.filter((line) => line.req?.id === requestId).length, { timeout: 5000 })
        .toBeGreaterThan(0);
      const ours = lines.filter((line) => line.req?.id === requestId);
      expect(ours.filter((line) => line.level >= PINO_ERROR_LEVEL)).toEqual([]);
      expect(ours.filter((line) => line.res?.statusCode === 500)).toEqual([]);
      expect(errorLines().filter((line) => line.msg === 'unhandled error')).toEqual([]);
    });

    it.each([
      // The README's routes: scoring and job submission are POST, polls and operator routes GET.
      ['GET', '/decisions', ['POST']],
      ['PUT', '/scores', ['POST']],
      ['GET', '/scores/batch', ['POST']],
      ['DELETE', '/jobs', ['POST']],
      ['POST', '/jobs/some-id', ['GET', 'HEAD']],
      ['DELETE', '/jobs/some-id', ['GET', 'HEAD']],
      ['POST', '/healthz', ['GET', 'HEAD']],
      ['POST', '/readyz', ['GET', 'HEAD']],
      ['PUT', '/openapi.json', ['GET', 'HEAD']],
      ['POST', '/model/MODEL_CARD.md', ['GET', 'HEAD']],
    ])('%s %s -> 405 with Allow: %s, problem+json, no error log line', async (method, path, allowed) => {
      const before = lines.length;
      const response = await fetch(`${stack.url}${path}`, { method });
      expect(response.status).toBe(405);
      expect(
        response.headers
          .get('allow')
          ?.split(',')
          .map((m) => m.trim())
          .sort(),
      ).toEqual([...allowed].sort());
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
      expect(lines.slice(before).filter((line) => line.level >= PINO_ERROR_LEVEL)).toEqual([]);
    });

    it('an unknown path is still 404, and OPTIONS on a known path still answers with Allow', async () => {
      expect((await fetch(`${stack.url}/no-such-path`, { method: 'DELETE' })).status).toBe(404);
      const options = await fetch(`${stack.url}/decisions`, { method: 'OPTIONS' });
      expect(options.status).toBe(200);
      expect(options.headers.get('allow')).toContain('POST');
    });

    it('no request of this suite logged at error level', () => {
      expect(errorLines()).toEqual([]);
    });
  },
);
