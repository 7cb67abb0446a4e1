import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_LANES } from '../support/lanes.js';
import { Stack } from '../support/stack.js';

/** Sends a path exactly as written (fetch would normalise `..` and encodings away). */
function raw(base: string, method: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const TRICKS = [
  '/admin/queues',
  '/admin/queues/',
  '/admin/queues/api/queues',
  '/ADMIN/QUEUES',
  '/Admin/Queues/api/queues',
  '/admin/queues/../queues',
  '/x/../admin/queues',
  '/admin/./queues',
  '//admin/queues',
  '/admin%2Fqueues',
  '/admin/%71ueues',
  '/%61dmin/queues/api/queues',
  '/admin/queues%2F..%2F',
  '/admin/queues;/',
  '/admin/queues?x=/healthz',
  '/metrics',
  '/metrics/',
  '/METRICS',
  '/%6Detrics',
  '/metrics?format=json',
  '/healthz/../metrics',
];

describe.each(HTTP_LANES)('admin surfaces: no path trick gets past the credentials ($lane)', ({ env }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ ...env, ADMIN_PASSWORD: 'correct-horse-battery' });
  });
  afterAll(() => stack.stop());

  it.each(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'DELETE'])(
    '%s on every trick path: 401 or 404, never the board or the metrics',
    async (method) => {
      for (const path of TRICKS) {
        const { status, body } = await raw(stack.url, method, path);
        expect([401, 404, 405], `${method} ${path} -> ${status}`).toContain(status);
        expect(body, `${method} ${path}`).not.toMatch(/bull-board|http_request_duration_seconds|"queues"/i);
      }
    },
  );

  it('with the credentials the same board and metrics answer (the tricks were refused, not broken)', async () => {
    const auth = `Basic ${Buffer.from('admin:correct-horse-battery').toString('base64')}`;
    const board = await fetch(`${stack.url}/admin/queues/api/queues`, { headers: { authorization: auth } });
    expect(board.status).toBe(200);
    const metrics = await fetch(`${stack.url}/metrics`, { headers: { authorization: auth } });
    expect(await metrics.text()).toContain('http_request_duration_seconds');
  });
});
