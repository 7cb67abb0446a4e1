import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_APPLICANT } from '../support/applicants.js';
import { ServiceProcess, waitForHttp } from '../support/processes.js';
import { freePort, testNamespace } from '../support/redis.js';
import { isRedisReachable } from '../../scripts/local-redis.js';

describe('npm start (dist/scripts/start.js): gateway + workers, and a local Redis when none answers', () => {
  let start: ServiceProcess | undefined;
  afterEach(async () => {
    await start?.stop('SIGKILL');
  });

  it('no Redis at REDIS_URL: starts redis-server, serves MISS then HIT, and stops it all on SIGTERM', async () => {
    const [port, redisPort] = [await freePort(), await freePort()];
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    expect(await isRedisReachable(redisUrl)).toBe(false);
    start = ServiceProcess.start('scripts/start.js', {
      PORT: String(port),
      REDIS_URL: redisUrl,
      WORKERS: '2',
      ...testNamespace(),
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`, 20_000);
    expect(start.output).toContain('started a local redis-server');

    const send = () =>
      fetch(`${base}/risk_categories`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(EXAMPLE_APPLICANT),
      });
    expect((await send()).headers.get('x-cache')).toBe('MISS');
    expect((await send()).headers.get('x-cache')).toBe('HIT');

    expect((await start.stop('SIGTERM')).code).toBe(0);
    expect(await isRedisReachable(redisUrl)).toBe(false);
  });

  it('no Redis and no redis-server installed: exits 1 with one line saying how to get Redis', async () => {
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    // A PATH holding only node (here node and redis-server share /usr/bin): redis-server cannot be found.
    const onlyNode = mkdtempSync(join(tmpdir(), 'only-node-'));
    symlinkSync(process.execPath, join(onlyNode, 'node'));
    start = ServiceProcess.start('scripts/start.js', { PATH: onlyNode, REDIS_URL: redisUrl });
    const { code } = await start.exited;
    expect(code).toBe(1);
    const lines = start.output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/No Redis answers at .* install one/);
  });
});
